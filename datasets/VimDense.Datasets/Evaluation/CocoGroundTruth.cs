using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace VimDense.Datasets.Evaluation;

/// <summary>
/// The parts of a COCO instances file (instances_*.json) that evaluation needs: images, categories and
/// annotations. <see cref="Load"/> streams the file (one list element in memory at a time).
/// </summary>
public sealed class CocoGroundTruth
{
    public CocoGroundTruth(IReadOnlyList<CocoImage> images, IReadOnlyList<CocoCategory> categories,
        IReadOnlyList<CocoAnnotation> annotations, string source = "ground truth")
    {
        Images = images;
        Categories = categories;
        Annotations = annotations;
        Source = source;
        var imagesById = new Dictionary<long, CocoImage>(images.Count);
        foreach (var image in images)
            if (!imagesById.TryAdd(image.Id, image)) throw new InvalidDataException($"{source}: duplicate image id {image.Id}");
        var categoriesById = new Dictionary<long, CocoCategory>(categories.Count);
        foreach (var category in categories)
            if (!categoriesById.TryAdd(category.Id, category)) throw new InvalidDataException($"{source}: duplicate category id {category.Id}");
        ImagesById = imagesById;
        CategoriesById = categoriesById;
    }

    public IReadOnlyList<CocoImage> Images { get; }
    public IReadOnlyList<CocoCategory> Categories { get; }
    public IReadOnlyList<CocoAnnotation> Annotations { get; }

    /// <summary>Where the data came from (the file path), used in error messages.</summary>
    public string Source { get; }

    public IReadOnlyDictionary<long, CocoImage> ImagesById { get; }
    public IReadOnlyDictionary<long, CocoCategory> CategoriesById { get; }

    /// <summary>
    /// Streams an instances file. With <paramref name="includeSegmentation"/> false the masks are skipped
    /// (enough for bbox evaluation, and much lighter on train2017).
    /// </summary>
    public static CocoGroundTruth Load(string path, bool includeSegmentation = true)
    {
        var images = new List<CocoImage>();
        var categories = new List<CocoCategory>();
        var annotations = new List<CocoAnnotation>();
        var sawAnnotations = false;
        using (var reader = CocoJsonReader.Open(path))
        {
            CocoJsonReader.Next(reader, path);
            if (reader.TokenType != JsonToken.StartObject)
                throw new InvalidDataException($"{path}: a COCO instances file must be a JSON object with 'images', 'annotations' and 'categories'");
            while (true)
            {
                CocoJsonReader.Next(reader, path);
                if (reader.TokenType == JsonToken.EndObject) break;
                var name = (string)reader.Value!;
                switch (name)
                {
                    case "images":
                        foreach (var o in CocoJsonReader.ReadObjects(reader, path, name)) images.Add(ReadImage(o, $"{path}: images[{images.Count}]"));
                        break;
                    case "categories":
                        foreach (var o in CocoJsonReader.ReadObjects(reader, path, name)) categories.Add(ReadCategory(o, $"{path}: categories[{categories.Count}]"));
                        break;
                    case "annotations":
                        sawAnnotations = true;
                        foreach (var o in CocoJsonReader.ReadObjects(reader, path, name))
                            annotations.Add(ReadAnnotation(o, $"{path}: annotations[{annotations.Count}]", includeSegmentation));
                        break;
                    default:
                        CocoJsonReader.Next(reader, path);
                        reader.Skip();
                        break;
                }
            }
        }
        if (!sawAnnotations) throw new InvalidDataException($"{path}: no 'annotations' list (is this a COCO instances file?)");
        var ids = new HashSet<long>();
        foreach (var a in annotations)
            if (!ids.Add(a.Id)) throw new InvalidDataException($"{path}: duplicate annotation id {a.Id}");
        return new CocoGroundTruth(images, categories, annotations, path);
    }

    private static CocoImage ReadImage(JObject o, string where)
    {
        var height = CocoJsonReader.RequiredLong(o, "height", where);
        var width = CocoJsonReader.RequiredLong(o, "width", where);
        if (height <= 0 || width <= 0 || height > int.MaxValue || width > int.MaxValue)
            throw new InvalidDataException($"{where}: image size {height}x{width} is not positive");
        return new CocoImage(CocoJsonReader.RequiredLong(o, "id", where), (int)height, (int)width, (string?)o["file_name"] ?? "");
    }

    private static CocoCategory ReadCategory(JObject o, string where) =>
        new(CocoJsonReader.RequiredLong(o, "id", where), (string?)o["name"] ?? "");

    private static CocoAnnotation ReadAnnotation(JObject o, string where, bool includeSegmentation)
    {
        var crowd = o["iscrowd"];
        return new CocoAnnotation
        {
            Id = CocoJsonReader.RequiredLong(o, "id", where),
            ImageId = CocoJsonReader.RequiredLong(o, "image_id", where),
            CategoryId = CocoJsonReader.RequiredLong(o, "category_id", where),
            Bbox = CocoJsonReader.OptionalBox(o, where),
            Area = CocoJsonReader.RequiredDouble(o, "area", where),
            // pycocotools: ignore := iscrowd (a pre-existing "ignore" field is overwritten), missing -> 0.
            IsCrowd = crowd is not null && crowd.Type != JTokenType.Null && (crowd.Type == JTokenType.Boolean ? (bool)crowd : (double)crowd != 0),
            Segmentation = includeSegmentation ? CocoJsonReader.OptionalSegmentation(o, where) : null,
        };
    }
}

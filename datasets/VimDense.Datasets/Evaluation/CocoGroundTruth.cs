using VimDense.Datasets.Coco;

namespace VimDense.Datasets.Evaluation;

/// <summary>
/// The parts of a COCO instances file (instances_*.json) that evaluation needs: images, categories and
/// annotations, as pycocotools reads them (<see cref="Load"/>, or built in memory).
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
    /// Reads an instances file (<see cref="CocoJsonReader"/>) and applies pycocotools' rules: an "annotations" list
    /// and every annotation's "area" are required, annotation ids are unique. With <paramref name="includeSegmentation"/>
    /// false the masks are skipped (enough for bbox evaluation, and much lighter on train2017).
    /// </summary>
    public static CocoGroundTruth Load(string path, bool includeSegmentation = true) =>
        From(CocoJsonReader.ReadInstances(path, includeSegmentation));

    public static CocoGroundTruth From(CocoDocument document)
    {
        var path = document.Path;
        if (!document.HasAnnotations) throw new InvalidDataException($"{path}: no 'annotations' list (is this a COCO instances file?)");
        var ids = new HashSet<long>();
        for (var n = 0; n < document.Annotations.Count; n++)
        {
            var a = document.Annotations[n];
            if (double.IsNaN(a.Area)) throw new InvalidDataException($"{path}: annotations[{n}] (id {a.Id}): missing field 'area'");
            if (a.Segmentation is { Polygons.Count: 0 })
                throw new InvalidDataException($"{path}: annotations[{n}] (id {a.Id}): field 'segmentation' is an empty polygon list");
            if (!ids.Add(a.Id)) throw new InvalidDataException($"{path}: duplicate annotation id {a.Id}");
        }
        return new CocoGroundTruth(document.Images, document.Categories, document.Annotations, path);
    }
}

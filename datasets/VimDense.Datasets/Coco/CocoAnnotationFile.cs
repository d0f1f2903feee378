namespace VimDense.Datasets.Coco;

/// <summary>
/// The training view of a COCO instances file (detectron2's loader rules): categories sorted by id with contiguous
/// indices, every annotation with a box, an area (w·h when absent) and known image/category ids; polygons with an
/// odd number of coordinates are errors, those shorter than 3 points are dropped, and an annotation left without
/// any polygon is dropped (<see cref="DroppedWithoutValidPolygon"/>); image, category and annotation ids are unique, and
/// boxes and polygons hold finite numbers (checked by the reader shared with evaluation). Annotations are grouped by image.
/// </summary>
public sealed class CocoAnnotationFile
{
    private readonly Dictionary<long, List<CocoAnnotation>> _byImage = [];
    private readonly Dictionary<long, int> _indexOfCategory = [];

    private CocoAnnotationFile(CocoDocument document)
    {
        Path = document.Path;
        foreach (var (image, i) in document.Images.Select((image, i) => (image, i)))
            if (image.FileName.Length == 0) throw new InvalidDataException($"{Path}: images[{i}] (id {image.Id}): missing field 'file_name'");
        var seenImages = new HashSet<long>();
        foreach (var image in document.Images)
            if (!seenImages.Add(image.Id)) throw new InvalidDataException($"{Path}: images: duplicate id {image.Id}");
        Images = document.Images;
        Categories = document.Categories.OrderBy(c => c.Id).ToList();
        for (var k = 0; k < Categories.Count; k++)
            if (!_indexOfCategory.TryAdd(Categories[k].Id, k)) throw new InvalidDataException($"{Path}: categories: duplicate id {Categories[k].Id}");
        var imageIds = Images.Select(i => i.Id).ToHashSet();
        var annotations = new List<CocoAnnotation>(document.Annotations.Count);
        var annotationIds = new HashSet<long>();
        for (var n = 0; n < document.Annotations.Count; n++)
        {
            // As the evaluation view (CocoGroundTruth): a duplicate id means a merged or hand-edited file.
            if (!annotationIds.Add(document.Annotations[n].Id))
                throw new InvalidDataException($"{Path}: annotations[{n}]: duplicate annotation id {document.Annotations[n].Id}");
            var a = Checked(document.Annotations[n], $"{Path}: annotations[{n}] (id {document.Annotations[n].Id})", imageIds);
            if (a is null) continue;
            annotations.Add(a);
            if (!_byImage.TryGetValue(a.ImageId, out var list)) _byImage[a.ImageId] = list = [];
            list.Add(a);
        }
        Annotations = annotations;
        DroppedWithoutValidPolygon = document.Annotations.Count - annotations.Count;
    }

    /// <summary>Reads an instances file and applies the training rules.</summary>
    public static CocoAnnotationFile Load(string path) => new(CocoJsonReader.ReadInstances(path));

    public static CocoAnnotationFile From(CocoDocument document) => new(document);

    public string Path { get; }
    public IReadOnlyList<CocoImage> Images { get; }

    /// <summary>Categories sorted by id; a category's contiguous class index is its position in this list.</summary>
    public IReadOnlyList<CocoCategory> Categories { get; }

    public IReadOnlyList<CocoAnnotation> Annotations { get; }

    /// <summary>Annotations left out because none of their polygons had an even length ≥ 6 (detectron2's rule).</summary>
    public int DroppedWithoutValidPolygon { get; }

    /// <summary>Contiguous class index of a category id.</summary>
    public int IndexOfCategory(long categoryId) => _indexOfCategory.TryGetValue(categoryId, out var k)
        ? k : throw new KeyNotFoundException($"{Path}: unknown category id {categoryId}");

    /// <summary>Category id of a contiguous class index.</summary>
    public long CategoryIdOfIndex(int index) => Categories[index].Id;

    /// <summary>Annotations of an image (empty when it has none).</summary>
    public IReadOnlyList<CocoAnnotation> AnnotationsOf(long imageId) =>
        _byImage.TryGetValue(imageId, out var list) ? list : [];

    /// <summary>The annotation under the training rules (a copy when they change it), or null when it is dropped.</summary>
    private CocoAnnotation? Checked(CocoAnnotation a, string where, HashSet<long> imageIds)
    {
        var box = a.Bbox ?? throw new InvalidDataException($"{where}: missing field 'bbox'");
        if (!imageIds.Contains(a.ImageId)) throw new InvalidDataException($"{where}: image_id {a.ImageId} is not in 'images'");
        if (!_indexOfCategory.ContainsKey(a.CategoryId))
            throw new InvalidDataException($"{where}: category_id {a.CategoryId} is not in 'categories'");
        var result = a;
        if (double.IsNaN(a.Area))
        {
            result = a.Copy();
            result.Area = box[2] * box[3];
        }
        if (a.Segmentation?.Polygons is { } polygons)
        {
            for (var p = 0; p < polygons.Count; p++)
                if (polygons[p].Length % 2 != 0)
                    throw new InvalidDataException($"{where}: segmentation polygon {p} has an odd number of coordinates ({polygons[p].Length})");
            var valid = polygons.Where(xy => xy.Length >= 6).ToList();
            if (valid.Count == 0) return null;
            if (valid.Count < polygons.Count)
            {
                if (ReferenceEquals(result, a)) result = a.Copy();
                result.Segmentation = CocoSegmentation.FromPolygons(valid);
            }
        }
        return result;
    }
}

namespace VimDense.Datasets.Coco;

/// <summary>
/// A parsed COCO instances file: images, categories with contiguous indices, and annotations grouped by image.
/// </summary>
public sealed class CocoAnnotationFile
{
    private readonly Dictionary<long, List<CocoAnnotation>> _byImage = [];
    private readonly Dictionary<int, CocoCategory> _categoryById;

    public CocoAnnotationFile(string path, IReadOnlyList<CocoImageInfo> images, IReadOnlyList<CocoCategory> categories,
        IReadOnlyList<CocoAnnotation> annotations, int droppedWithoutValidPolygon)
    {
        Path = path;
        Images = images;
        Categories = categories;
        Annotations = annotations;
        DroppedWithoutValidPolygon = droppedWithoutValidPolygon;
        _categoryById = categories.ToDictionary(c => c.Id);
        foreach (var a in annotations)
        {
            if (!_byImage.TryGetValue(a.ImageId, out var list)) _byImage[a.ImageId] = list = [];
            list.Add(a);
        }
    }

    public string Path { get; }
    public IReadOnlyList<CocoImageInfo> Images { get; }

    /// <summary>Categories sorted by id; <see cref="CocoCategory.Index"/> is the position in this list.</summary>
    public IReadOnlyList<CocoCategory> Categories { get; }

    public IReadOnlyList<CocoAnnotation> Annotations { get; }

    /// <summary>Annotations left out because none of their polygons had an even length ≥ 6 (detectron2's rule).</summary>
    public int DroppedWithoutValidPolygon { get; }

    /// <summary>Contiguous index of a category id.</summary>
    public int IndexOfCategory(int categoryId) => _categoryById.TryGetValue(categoryId, out var c)
        ? c.Index : throw new KeyNotFoundException($"{Path}: unknown category id {categoryId}");

    /// <summary>Category id of a contiguous index.</summary>
    public int CategoryIdOfIndex(int index) => Categories[index].Id;

    /// <summary>Annotations of an image (empty when it has none).</summary>
    public IReadOnlyList<CocoAnnotation> AnnotationsOf(long imageId) =>
        _byImage.TryGetValue(imageId, out var list) ? list : [];
}

namespace VimDense.Datasets.Coco;

/// <summary>
/// A COCO instances file as <see cref="CocoJsonReader"/> parsed it: every entry in file order, nothing filtered
/// (so list positions are the file's indices, which error messages use). <see cref="HasAnnotations"/> tells an
/// empty "annotations" list from a file without one (image-info files for test-dev have none).
/// </summary>
public sealed record CocoDocument(string Path, IReadOnlyList<CocoImage> Images, IReadOnlyList<CocoCategory> Categories,
    IReadOnlyList<CocoAnnotation> Annotations, bool HasAnnotations);

namespace VimDense.Datasets.Coco;

/// <summary>An entry of a COCO file's "categories" list: its (possibly non-contiguous) id and its name.</summary>
public sealed record CocoCategory(long Id, string Name);

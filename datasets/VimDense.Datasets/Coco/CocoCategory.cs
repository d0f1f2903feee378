namespace VimDense.Datasets.Coco;

/// <summary>An entry of "categories": its (possibly non-contiguous) id, name and contiguous index 0..K−1 (sorted by id).</summary>
public sealed record CocoCategory(int Id, string Name, int Index);

namespace VimDense.Datasets.Evaluation;

/// <summary>An entry of a COCO file's "categories" list.</summary>
public sealed record CocoCategory(long Id, string Name);

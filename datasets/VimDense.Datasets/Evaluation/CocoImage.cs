namespace VimDense.Datasets.Evaluation;

/// <summary>An entry of a COCO file's "images" list (the fields evaluation needs).</summary>
public sealed record CocoImage(long Id, int Height, int Width, string FileName);

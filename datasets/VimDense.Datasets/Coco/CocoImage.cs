namespace VimDense.Datasets.Coco;

/// <summary>An entry of a COCO file's "images" list (<see cref="FileName"/> is "" when the file has none).</summary>
public sealed record CocoImage(long Id, int Height, int Width, string FileName);

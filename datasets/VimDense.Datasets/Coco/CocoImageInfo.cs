namespace VimDense.Datasets.Coco;

/// <summary>An entry of a COCO file's "images" array.</summary>
public sealed record CocoImageInfo(long Id, string FileName, int Height, int Width);

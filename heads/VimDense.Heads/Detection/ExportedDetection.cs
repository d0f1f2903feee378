namespace VimDense.Heads.Detection;

/// <summary>
/// One detection as plain values, ready for a COCO results writer: box as [x, y, width, height] in
/// output-image pixels, score, 0-based class index and, with masks, the row-major 0/1 bitmap of
/// <paramref name="Height"/> × <paramref name="Width"/> bytes.
/// </summary>
public sealed record ExportedDetection(double[] BoxXywh, double Score, int ClassIndex, byte[]? Mask, int Height, int Width);

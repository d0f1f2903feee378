namespace VimDense.Datasets.Loading;

/// <summary>
/// One object of a detection sample, in the sample image's pixel coordinates: box (x1, y1, x2, y2),
/// contiguous class index, and its mask as polygons (each [x0, y0, x1, y1, ...]) or, for objects annotated
/// with a run-length mask, a row-major 0/1 bitmask of the sample image size (<see cref="Bitmask"/>).
/// </summary>
public sealed record DetectionInstance(double X1, double Y1, double X2, double Y2, int ClassIndex,
    IReadOnlyList<double[]> Polygons, byte[]? Bitmask = null, bool IsCrowd = false)
{
    public double BoxWidth => X2 - X1;
    public double BoxHeight => Y2 - Y1;

    /// <summary>Whether the instance has any mask left (a polygon, or a bitmask with a set pixel).</summary>
    public bool HasMask => Polygons.Count > 0 || (Bitmask is { } m && Array.IndexOf(m, (byte)1) >= 0);
}

namespace VimDense.Structures;

/// <summary>
/// One object in plain arrays, the form datasets, transforms and result writers handle (<see cref="Instances"/> is
/// the tensor form). The box is <see cref="BoxMode.XyxyAbs"/> (<see cref="Box"/> converts); the mask is polygons
/// (each [x0, y0, x1, y1, ...]) or, for objects annotated or predicted as bitmaps, a row-major 0/1
/// <see cref="Bitmask"/> of its image's size. <see cref="IsCrowd"/> marks crowd ground truth,
/// <see cref="Score"/> a prediction's confidence (1 for ground truth).
/// </summary>
public sealed record Instance(double X1, double Y1, double X2, double Y2, int ClassIndex,
    IReadOnlyList<double[]> Polygons, byte[]? Bitmask = null, bool IsCrowd = false)
{
    public double Score { get; init; } = 1;

    public double BoxWidth => X2 - X1;
    public double BoxHeight => Y2 - Y1;

    /// <summary>Whether the instance has any mask left (a polygon, or a bitmask with a set pixel).</summary>
    public bool HasMask => Polygons.Count > 0 || (Bitmask is { } m && Array.IndexOf(m, (byte)1) >= 0);

    /// <summary>The box in <paramref name="mode"/> (COCO files use <see cref="BoxMode.XywhAbs"/>).</summary>
    public double[] Box(BoxMode mode = BoxMode.XyxyAbs) => BoxConversion.Convert([X1, Y1, X2, Y2], BoxMode.XyxyAbs, mode);

    /// <summary>A ground-truth instance from a box in <paramref name="mode"/>.</summary>
    public static Instance FromBox(ReadOnlySpan<double> box, BoxMode mode, int classIndex, IReadOnlyList<double[]> polygons,
        byte[]? bitmask = null, bool isCrowd = false)
    {
        var b = BoxConversion.Convert(box, mode, BoxMode.XyxyAbs);
        return new Instance(b[0], b[1], b[2], b[3], classIndex, polygons, bitmask, isCrowd);
    }
}

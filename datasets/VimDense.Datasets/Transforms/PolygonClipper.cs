namespace VimDense.Datasets.Transforms;

/// <summary>
/// Sutherland–Hodgman clipping of a polygon [x0, y0, x1, y1, ...] to an axis-aligned rectangle. Where shapely
/// would split a concave polygon into several pieces, this returns one polygon whose pieces are joined by
/// zero-area bridges along the rectangle border; its even-odd area, rasterisation and bounds are the same.
/// </summary>
public static class PolygonClipper
{
    /// <summary>The clipped polygon, or null when nothing of positive area is left.</summary>
    public static double[]? Clip(double[] polygon, double x0, double y0, double x1, double y1)
    {
        var points = new List<(double X, double Y)>(polygon.Length / 2);
        for (var i = 0; i + 1 < polygon.Length; i += 2) points.Add((polygon[i], polygon[i + 1]));
        points = ClipEdge(points, p => p.X >= x0, (a, b) => Cross(a, b, x0, vertical: true));
        points = ClipEdge(points, p => p.X <= x1, (a, b) => Cross(a, b, x1, vertical: true));
        points = ClipEdge(points, p => p.Y >= y0, (a, b) => Cross(a, b, y0, vertical: false));
        points = ClipEdge(points, p => p.Y <= y1, (a, b) => Cross(a, b, y1, vertical: false));
        points = RemoveDuplicates(points);
        if (points.Count < 3 || Math.Abs(Area(points)) < 1e-9) return null;
        var result = new double[points.Count * 2];
        for (var i = 0; i < points.Count; i++) (result[2 * i], result[2 * i + 1]) = points[i];
        return result;
    }

    /// <summary>Shoelace area (signed) of a flat polygon.</summary>
    public static double Area(double[] polygon)
    {
        var points = new List<(double, double)>();
        for (var i = 0; i + 1 < polygon.Length; i += 2) points.Add((polygon[i], polygon[i + 1]));
        return Area(points);
    }

    private static double Area(List<(double X, double Y)> p)
    {
        double sum = 0;
        for (var i = 0; i < p.Count; i++)
        {
            var (a, b) = (p[i], p[(i + 1) % p.Count]);
            sum += a.X * b.Y - b.X * a.Y;
        }
        return sum / 2;
    }

    private static List<(double X, double Y)> ClipEdge(List<(double X, double Y)> input, Func<(double X, double Y), bool> inside,
        Func<(double X, double Y), (double X, double Y), (double X, double Y)> intersect)
    {
        var output = new List<(double X, double Y)>(input.Count + 4);
        if (input.Count == 0) return output;
        var previous = input[^1];
        foreach (var current in input)
        {
            var (inCur, inPrev) = (inside(current), inside(previous));
            if (inCur)
            {
                if (!inPrev) output.Add(intersect(previous, current));
                output.Add(current);
            }
            else if (inPrev) output.Add(intersect(previous, current));
            previous = current;
        }
        return output;
    }

    private static (double X, double Y) Cross((double X, double Y) a, (double X, double Y) b, double line, bool vertical)
    {
        if (vertical)
        {
            var t = (line - a.X) / (b.X - a.X);
            return (line, a.Y + t * (b.Y - a.Y));
        }
        var s = (line - a.Y) / (b.Y - a.Y);
        return (a.X + s * (b.X - a.X), line);
    }

    private static List<(double X, double Y)> RemoveDuplicates(List<(double X, double Y)> p)
    {
        var result = new List<(double X, double Y)>(p.Count);
        foreach (var q in p)
            if (result.Count == 0 || Math.Abs(result[^1].X - q.X) > 1e-12 || Math.Abs(result[^1].Y - q.Y) > 1e-12) result.Add(q);
        while (result.Count > 1 && Math.Abs(result[0].X - result[^1].X) <= 1e-12 && Math.Abs(result[0].Y - result[^1].Y) <= 1e-12)
            result.RemoveAt(result.Count - 1);
        return result;
    }
}

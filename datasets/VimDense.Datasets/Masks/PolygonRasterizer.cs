namespace VimDense.Datasets.Masks;

/// <summary>
/// pycocotools' <c>rleFrPoly</c>, step for step: the polygon is upsampled ×5 with C truncating casts, every
/// edge is walked with a DDA, the crossings of pixel-column centres are kept, and the sorted crossing
/// indices become run lengths. The integer/double arithmetic is kept in the same order so the output is
/// bit-identical, including its quirks (e.g. pixel columns decided by the 1/5-pixel grid).
/// </summary>
internal static class PolygonRasterizer
{
    private const double Scale = 5;

    /// <summary>Rasterises <paramref name="xy"/> (x0,y0,x1,y1,...; an odd trailing number is ignored as in pycocotools).</summary>
    public static Rle Rasterize(double[] xy, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(xy);
        if (height < 0 || width < 0) throw new ArgumentException($"image size must be non-negative, got {height}x{width}");
        var k = xy.Length / 2;
        if (k == 0) throw new ArgumentException("polygon has no points");
        var x = new int[k + 1];
        var y = new int[k + 1];
        for (var j = 0; j < k; j++) x[j] = CTruncate(Scale * xy[j * 2] + .5);
        x[k] = x[0];
        for (var j = 0; j < k; j++) y[j] = CTruncate(Scale * xy[j * 2 + 1] + .5);
        y[k] = y[0];

        long pointCount = 0;
        for (var j = 0; j < k; j++) pointCount += Math.Max(Math.Abs((long)x[j] - x[j + 1]), Math.Abs((long)y[j] - y[j + 1])) + 1;
        if (pointCount > int.MaxValue / 2) throw new ArgumentException($"polygon too large to rasterise ({pointCount} boundary points)");
        var u = new int[pointCount];
        var v = new int[pointCount];
        var m = 0;
        for (var j = 0; j < k; j++)
        {
            int xs = x[j], xe = x[j + 1], ys = y[j], ye = y[j + 1];
            int dx = Math.Abs(xe - xs), dy = Math.Abs(ys - ye);
            var flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
            if (flip) { (xs, xe) = (xe, xs); (ys, ye) = (ye, ys); }
            var s = dx >= dy ? (double)(ye - ys) / dx : (double)(xe - xs) / dy;
            if (dx >= dy)
                for (var d = 0; d <= dx; d++)
                {
                    var t = flip ? dx - d : d;
                    u[m] = t + xs;
                    v[m] = CTruncate(ys + s * t + .5);
                    m++;
                }
            else
                for (var d = 0; d <= dy; d++)
                {
                    var t = flip ? dy - d : d;
                    v[m] = t + ys;
                    u[m] = CTruncate(xs + s * t + .5);
                    m++;
                }
        }

        // Crossings of column centres, downsampled back to pixel units.
        var crossings = new List<uint>();
        for (var j = 1; j < m; j++)
        {
            if (u[j] == u[j - 1]) continue;
            double xd = u[j] < u[j - 1] ? u[j] : u[j - 1];
            xd = (xd + .5) / Scale - .5;
            if (Math.Floor(xd) != xd || xd < 0 || xd > width - 1) continue;
            double yd = v[j] < v[j - 1] ? v[j] : v[j - 1];
            yd = (yd + .5) / Scale - .5;
            if (yd < 0) yd = 0;
            else if (yd > height) yd = height;
            yd = Math.Ceiling(yd);
            crossings.Add(unchecked((uint)((int)xd * height + (int)yd)));
        }
        crossings.Add(unchecked((uint)(height * width)));
        var a = crossings.ToArray();
        Array.Sort(a);
        uint previous = 0;
        for (var j = 0; j < a.Length; j++) { var t = a[j]; a[j] -= previous; previous = t; }

        // Zero-length runs (two toggles at one pixel) cancel: fold the following run into the previous one.
        var b = new List<uint>(a.Length) { a[0] };
        for (var j = 1; j < a.Length;)
        {
            if (a[j] > 0) b.Add(a[j++]);
            else
            {
                j++;
                if (j < a.Length) b[^1] += a[j++];
            }
        }
        return new Rle(height, width, b.ToArray());
    }

    /// <summary>C's (int) cast of a double: truncation toward zero.</summary>
    private static int CTruncate(double value) => (int)value;
}

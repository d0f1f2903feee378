namespace VimDense.Datasets.Masks;

/// <summary>
/// Run-walking operations of pycocotools' <c>maskApi.c</c>: merge (<c>rleMerge</c>), tight box (<c>rleToBbox</c>)
/// and IoU (<c>rleIou</c>, <c>bbIou</c>), with the same unsigned arithmetic so that the quirks carry over.
/// </summary>
internal static class RleOverlap
{
    public static Rle Merge(IReadOnlyList<Rle> rles, bool intersect)
    {
        ArgumentNullException.ThrowIfNull(rles);
        if (rles.Count == 0) return new Rle(0, 0, []);
        int h = rles[0].Height, w = rles[0].Width;
        if (rles.Count == 1) return new Rle(h, w, (uint[])rles[0].Counts.Clone());
        var counts = rles[0].Counts;
        for (var i = 1; i < rles.Count; i++)
        {
            var b = rles[i];
            if (b.Height != h || b.Width != w)
                throw new ArgumentException($"cannot merge masks of different sizes: {h}x{w} and {b.Height}x{b.Width}");
            counts = MergeTwo(counts, b.Counts, intersect);
        }
        return new Rle(h, w, counts);
    }

    private static uint[] MergeTwo(uint[] a, uint[] b, bool intersect)
    {
        var result = new List<uint>(a.Length + b.Length);
        uint ca = a.Length > 0 ? a[0] : 0, cb = b.Length > 0 ? b[0] : 0, cc = 0, ct = 1;
        bool v = false, va = false, vb = false;
        int ia = 1, ib = 1;
        while (ct > 0)
        {
            var c = Math.Min(ca, cb);
            cc += c;
            ct = 0;
            ca -= c;
            if (ca == 0 && ia < a.Length) { ca = a[ia++]; va = !va; }
            ct += ca;
            cb -= c;
            if (cb == 0 && ib < b.Length) { cb = b[ib++]; vb = !vb; }
            ct += cb;
            var vp = v;
            v = intersect ? va && vb : va || vb;
            if (v != vp || ct == 0) { result.Add(cc); cc = 0; }
        }
        return result.ToArray();
    }

    /// <summary><c>rleToBbox</c> with its unsigned arithmetic; writes [x, y, w, h] into <paramref name="box"/>.</summary>
    public static void ToBox(Rle rle, Span<double> box)
    {
        uint h = (uint)rle.Height, w = (uint)rle.Width;
        var counts = rle.Counts;
        var m = counts.Length / 2 * 2;
        if (m == 0) { box[0] = box[1] = box[2] = box[3] = 0; return; }
        uint xs = w, ys = h, xe = 0, ye = 0, cc = 0, xp = 0;
        unchecked
        {
            for (var j = 0; j < m; j++)
            {
                cc += counts[j];
                var t = cc - (uint)(j % 2);
                var y = t % h;
                var x = (t - y) / h;
                if (j % 2 == 0) xp = x;
                else if (xp < x) { ys = 0; ye = h - 1; } // a run that wraps a column spans the full height
                xs = Math.Min(xs, x); xe = Math.Max(xe, x);
                ys = Math.Min(ys, y); ye = Math.Max(ye, y);
            }
            box[0] = xs; box[2] = xe - xs + 1;
            box[1] = ys; box[3] = ye - ys + 1;
        }
    }

    public static double[,] Iou(IReadOnlyList<Rle> dt, IReadOnlyList<Rle> gt, bool[] iscrowd)
    {
        ArgumentNullException.ThrowIfNull(dt);
        ArgumentNullException.ThrowIfNull(gt);
        ArgumentNullException.ThrowIfNull(iscrowd);
        if (iscrowd.Length != gt.Count) throw new ArgumentException($"iscrowd has {iscrowd.Length} entries for {gt.Count} ground truths");
        var dtBoxes = Boxes(dt);
        var gtBoxes = Boxes(gt);
        var result = new double[dt.Count, gt.Count];
        for (var g = 0; g < gt.Count; g++)
            for (var d = 0; d < dt.Count; d++)
                result[d, g] = MaskIou(dt[d], dtBoxes[d], gt[g], gtBoxes[g], iscrowd[g]);
        return result;
    }

    public static double[][] Boxes(IReadOnlyList<Rle> rles)
    {
        var boxes = new double[rles.Count][];
        for (var i = 0; i < rles.Count; i++) { boxes[i] = new double[4]; ToBox(rles[i], boxes[i]); }
        return boxes;
    }

    /// <summary>One entry of <c>rleIou</c>: zero unless the tight boxes overlap, then an exact run walk.</summary>
    public static double MaskIou(Rle dt, ReadOnlySpan<double> dtBox, Rle gt, ReadOnlySpan<double> gtBox, bool crowd)
    {
        if (!(BoxIou(dtBox, gtBox, crowd) > 0)) return 0;
        if (dt.Height != gt.Height || dt.Width != gt.Width) return -1;
        uint[] a = dt.Counts, b = gt.Counts;
        uint ca = a[0], cb = b[0], i = 0, u = 0, ct = 1;
        int ka = a.Length, kb = b.Length, ia = 1, ib = 1;
        bool va = false, vb = false;
        unchecked
        {
            while (ct > 0)
            {
                var c = Math.Min(ca, cb);
                if (va || vb) { u += c; if (va && vb) i += c; }
                ct = 0;
                ca -= c;
                if (ca == 0 && ia < ka) { ca = a[ia++]; va = !va; }
                ct += ca;
                cb -= c;
                if (cb == 0 && ib < kb) { cb = b[ib++]; vb = !vb; }
                ct += cb;
            }
        }
        if (i == 0) u = 1;
        else if (crowd) u = unchecked((uint)RleCodec.Area(dt));
        return (double)i / u;
    }

    /// <summary><c>bbIou</c> for one pair of [x,y,w,h] boxes.</summary>
    public static double BoxIou(ReadOnlySpan<double> d, ReadOnlySpan<double> g, bool crowd)
    {
        var w = Math.Min(d[2] + d[0], g[2] + g[0]) - Math.Max(d[0], g[0]);
        if (w <= 0) return 0;
        var h = Math.Min(d[3] + d[1], g[3] + g[1]) - Math.Max(d[1], g[1]);
        if (h <= 0) return 0;
        double ga = g[2] * g[3], da = d[2] * d[3];
        var i = w * h;
        var u = crowd ? da : da + ga - i;
        return i / u;
    }
}

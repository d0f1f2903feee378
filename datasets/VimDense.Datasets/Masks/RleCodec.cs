using System.Text;

namespace VimDense.Datasets.Masks;

/// <summary>
/// COCO run-length encoding, bit-exact with pycocotools' <c>maskApi.c</c>: encode/decode, the compressed
/// string form, polygon and box rasterisation, union/intersection, area, tight box and IoU.
/// Masks in and out of this class are ROW-MAJOR byte arrays (index y·width + x, 0 or non-zero); the
/// column-major order of COCO is handled inside.
/// </summary>
public static class RleCodec
{
    /// <summary>Encodes a row-major mask (any non-zero byte is foreground).</summary>
    public static Rle Encode(byte[] mask, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(mask);
        if (height < 0 || width < 0 || mask.Length != (long)height * width)
            throw new ArgumentException($"mask has {mask.Length} bytes, expected height*width = {height}*{width}");
        var counts = new List<uint>();
        uint run = 0;
        var previous = false;
        // Walk in column-major order as pycocotools does (it encodes Fortran-ordered arrays).
        for (var x = 0; x < width; x++)
        {
            for (var y = 0; y < height; y++)
            {
                var value = mask[y * width + x] != 0;
                if (value != previous) { counts.Add(run); run = 0; previous = value; }
                run++;
            }
        }
        counts.Add(run);
        return new Rle(height, width, counts.ToArray());
    }

    /// <summary>Decodes to a row-major 0/1 mask of Height·Width bytes.</summary>
    public static byte[] Decode(Rle rle)
    {
        ArgumentNullException.ThrowIfNull(rle);
        int h = rle.Height, w = rle.Width;
        var mask = new byte[(long)h * w];
        long index = 0, total = (long)h * w;
        byte value = 0;
        foreach (var run in rle.Counts)
        {
            if (index + run > total) throw new InvalidDataException($"RLE runs sum past {h}x{w} = {total} pixels");
            if (value != 0)
                for (var i = index; i < index + run; i++) mask[(i % h) * w + i / h] = 1;
            index += run;
            value ^= 1;
        }
        return mask;
    }

    /// <summary>pycocotools' compressed counts string (<c>rleToString</c>): deltas for i ≥ 3, 5-bit LEB128-like groups + 48.</summary>
    public static string ToCompressedString(Rle rle)
    {
        ArgumentNullException.ThrowIfNull(rle);
        var counts = rle.Counts;
        var text = new StringBuilder(counts.Length * 2);
        for (var i = 0; i < counts.Length; i++)
        {
            long x = counts[i];
            if (i > 2) x -= counts[i - 2];
            var more = true;
            while (more)
            {
                var c = (int)(x & 0x1f);
                x >>= 5; // arithmetic shift, as on C's long
                more = (c & 0x10) != 0 ? x != -1 : x != 0;
                if (more) c |= 0x20;
                text.Append((char)(c + 48));
            }
        }
        return text.ToString();
    }

    /// <summary>Parses a compressed counts string (<c>rleFrString</c>); malformed text throws <see cref="InvalidDataException"/>.</summary>
    public static Rle FromCompressedString(string counts, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(counts);
        if (height < 0 || width < 0) throw new InvalidDataException($"RLE size must be non-negative, got [{height}, {width}]");
        var result = new List<uint>();
        var p = 0;
        long total = 0;
        while (p < counts.Length)
        {
            long x = 0;
            var k = 0;
            var more = true;
            while (more)
            {
                if (p >= counts.Length)
                    throw new InvalidDataException($"malformed RLE counts string: truncated value at character {p} (a continuation bit is set on the last character)");
                var c = counts[p] - 48;
                if (c < 0 || c > 63)
                    throw new InvalidDataException($"malformed RLE counts string: character '{counts[p]}' at {p} is outside the range '0'..'o'");
                if (k > 12) throw new InvalidDataException($"malformed RLE counts string: value too long at character {p}");
                x |= (long)(c & 0x1f) << (5 * k);
                more = (c & 0x20) != 0;
                p++;
                k++;
                if (!more && (c & 0x10) != 0) x |= -1L << (5 * k);
            }
            if (result.Count > 2) x += result[^2];
            if (x < 0 || x > uint.MaxValue)
                throw new InvalidDataException($"malformed RLE counts string: run {result.Count} decodes to {x}");
            total += x;
            result.Add((uint)x);
        }
        if (total != (long)height * width)
            throw new InvalidDataException($"malformed RLE counts string: runs sum to {total}, expected height*width = {height}*{width} = {(long)height * width}");
        return new Rle(height, width, result.ToArray());
    }

    /// <summary>An uncompressed RLE (COCO crowd annotations: integer run list); checks that the runs cover the image.</summary>
    public static Rle FromUncompressed(IReadOnlyList<long> counts, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var result = new uint[counts.Count];
        long total = 0;
        for (var i = 0; i < counts.Count; i++)
        {
            if (counts[i] < 0 || counts[i] > uint.MaxValue) throw new InvalidDataException($"malformed RLE: run {i} is {counts[i]}");
            result[i] = (uint)counts[i];
            total += counts[i];
        }
        if (total != (long)height * width)
            throw new InvalidDataException($"malformed RLE: runs sum to {total}, expected height*width = {height}*{width} = {(long)height * width}");
        return new Rle(height, width, result);
    }

    /// <summary>Rasterises one polygon [x0,y0,x1,y1,...] exactly as pycocotools' <c>rleFrPoly</c>.</summary>
    public static Rle FromPolygon(double[] xy, int height, int width) => PolygonRasterizer.Rasterize(xy, height, width);

    /// <summary>
    /// The mask of a COCO polygon list, as <c>coco.annToRLE</c>: <c>frPyObjects</c> then a union merge.
    /// As in pycocotools, a list whose first entry has exactly 4 numbers is read as boxes [x,y,w,h].
    /// </summary>
    public static Rle FromPolygons(IReadOnlyList<double[]> polygons, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(polygons);
        if (polygons.Count == 0) throw new InvalidDataException("segmentation polygon list is empty");
        // frPyObjects decides on the first entry only: 4 numbers -> boxes, more -> polygons (k = len/2 points each).
        if (polygons[0].Length < 4)
            throw new InvalidDataException($"segmentation polygon 0 has {polygons[0].Length} numbers; expected at least 6 (or 4 for a box)");
        var asBoxes = polygons[0].Length == 4;
        var parts = new Rle[polygons.Count];
        for (var i = 0; i < polygons.Count; i++)
        {
            var p = polygons[i];
            if (asBoxes)
            {
                if (p.Length != 4) throw new InvalidDataException($"segmentation entry {i} has {p.Length} numbers; boxes need 4");
                parts[i] = FromBox(p[0], p[1], p[2], p[3], height, width);
            }
            else
            {
                if (p.Length < 2) throw new InvalidDataException($"segmentation polygon {i} has {p.Length} numbers; expected x,y pairs");
                parts[i] = FromPolygon(p, height, width);
            }
        }
        return Merge(parts);
    }

    /// <summary>A box [x,y,w,h] rasterised as the 4-corner polygon (<c>rleFrBbox</c>).</summary>
    public static Rle FromBox(double x, double y, double w, double h, int height, int width)
    {
        double xe = x + w, ye = y + h;
        return PolygonRasterizer.Rasterize([x, y, x, ye, xe, ye, xe, y], height, width);
    }

    /// <summary>Union (or intersection) of masks of one size (<c>rleMerge</c>).</summary>
    public static Rle Merge(IReadOnlyList<Rle> rles, bool intersect = false) => RleOverlap.Merge(rles, intersect);

    /// <summary>Foreground pixel count.</summary>
    public static long Area(Rle rle)
    {
        long area = 0;
        var counts = rle.Counts;
        for (var i = 1; i < counts.Length; i += 2) area += counts[i];
        return area;
    }

    /// <summary>Tight integer box [x, y, w, h] as <c>rleToBbox</c> (all zeros for an empty mask).</summary>
    public static double[] ToBox(Rle rle)
    {
        var box = new double[4];
        RleOverlap.ToBox(rle, box);
        return box;
    }

    /// <summary>
    /// IoU matrix [dt, gt] of masks (<c>rleIou</c>): for a crowd gt the union is the detection's area;
    /// masks of different sizes give -1.
    /// </summary>
    public static double[,] Iou(IReadOnlyList<Rle> dt, IReadOnlyList<Rle> gt, bool[] iscrowd) => RleOverlap.Iou(dt, gt, iscrowd);

    /// <summary>IoU matrix [dt, gt] of boxes [x,y,w,h] (<c>bbIou</c>), crowd gt: union = detection box area.</summary>
    public static double[,] BoxIou(IReadOnlyList<double[]> dt, IReadOnlyList<double[]> gt, bool[] iscrowd)
    {
        ArgumentNullException.ThrowIfNull(dt);
        ArgumentNullException.ThrowIfNull(gt);
        ArgumentNullException.ThrowIfNull(iscrowd);
        if (iscrowd.Length != gt.Count) throw new ArgumentException($"iscrowd has {iscrowd.Length} entries for {gt.Count} ground truths");
        var result = new double[dt.Count, gt.Count];
        for (var g = 0; g < gt.Count; g++)
            for (var d = 0; d < dt.Count; d++)
                result[d, g] = RleOverlap.BoxIou(dt[d], gt[g], iscrowd[g]);
        return result;
    }
}

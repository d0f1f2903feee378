namespace VimDense.Datasets.Masks;

/// <summary>
/// detectron2's <c>rasterize_polygons_within_box</c> (<c>structures/masks.py</c>), the Mask R-CNN training target
/// of one ground-truth instance inside one proposal box: the polygons are shifted by the box's (x0, y0), scaled by
/// M / max(w, 0.1) and M / max(h, 0.1), and rasterised at M × M with pycocotools (<see cref="RleCodec.FromPolygons"/>,
/// union of the parts). The arithmetic follows numpy's types there: the box is float32 (a proposal tensor) and its
/// width/height are float32 differences; the ratio M / w is float64 under numpy 1.x (value-based casting of the
/// Python int; numpy 2 would give float32), and the polygons stay float64.
/// </summary>
public static class BoxPolygonRasterizer
{
    /// <summary>The (M, M) row-major 0/1 target of <paramref name="polygons"/> (each [x0, y0, x1, y1, ...]) in box (x0, y0, x1, y1).</summary>
    public static byte[] Rasterize(IReadOnlyList<double[]> polygons, float x0, float y0, float x1, float y1, int maskSize)
    {
        ArgumentNullException.ThrowIfNull(polygons);
        if (maskSize < 1) throw new ArgumentException($"mask size must be positive, got {maskSize}", nameof(maskSize));
        // COCO API does not take an empty list: detectron2 returns an empty mask.
        if (polygons.Count == 0) return new byte[maskSize * maskSize];
        var transformed = Transform(polygons, x0, y0, x1, y1, maskSize);
        return RleCodec.Decode(RleCodec.FromPolygons(transformed, maskSize, maskSize));
    }

    /// <summary>The shifted and scaled polygons (steps 1 and 2 of <c>rasterize_polygons_within_box</c>).</summary>
    public static IReadOnlyList<double[]> Transform(IReadOnlyList<double[]> polygons, float x0, float y0, float x1, float y1, int maskSize)
    {
        ArgumentNullException.ThrowIfNull(polygons);
        float w = x1 - x0, h = y1 - y0;
        double ratioW = Ratio(maskSize, w), ratioH = Ratio(maskSize, h);
        var result = new double[polygons.Count][];
        for (var i = 0; i < polygons.Count; i++)
        {
            var p = polygons[i];
            var q = new double[p.Length];
            for (var j = 0; j + 1 < p.Length; j += 2)
            {
                q[j] = (p[j] - x0) * ratioW;
                q[j + 1] = (p[j + 1] - y0) * ratioH;
            }
            if (p.Length % 2 == 1) q[^1] = (p[^1] - x0) * ratioW; // an odd trailing number is shifted like an x (numpy's p[0::2])
            result[i] = q;
        }
        return result;
    }

    // mask_size / max(side, 0.1): the float32 side widened to float64 (numpy 1.x), or Python's M / 0.1.
    private static double Ratio(int maskSize, float side) => 0.1 > side ? maskSize / 0.1 : maskSize / (double)side;
}

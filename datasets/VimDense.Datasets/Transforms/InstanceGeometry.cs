using OpenCvSharp;
using VimDense.Datasets.Loading;
using VimDense.Structures;

namespace VimDense.Datasets.Transforms;

/// <summary>
/// The geometric transforms of detectron2/fvcore applied to instances: horizontal flip (x → W − x in
/// continuous coordinates), resize (coordinates times new/old per axis; bitmasks with PIL's nearest), crop (polygons
/// clipped to the crop window then shifted; boxes shifted and clipped to the output image; bitmasks sliced),
/// box recomputation from masks and the empty-instance filter.
/// </summary>
public static class InstanceGeometry
{
    public static List<Instance> FlipHorizontal(IEnumerable<Instance> instances, int width, int height) =>
        instances.Select(i => i with
        {
            X1 = width - i.X2,
            X2 = width - i.X1,
            Polygons = i.Polygons.Select(p => Map(p, x => width - x, y => y)).ToList(),
            Bitmask = i.Bitmask is null ? null : TransformMask(i.Bitmask, height, width, m => Cv2.Flip(m, m, FlipMode.Y)),
        }).ToList();

    public static List<Instance> Resize(IEnumerable<Instance> instances, int oldWidth, int oldHeight, int newWidth, int newHeight)
    {
        var (sx, sy) = ((double)newWidth / oldWidth, (double)newHeight / oldHeight);
        return instances.Select(i => i with
        {
            X1 = i.X1 * sx, X2 = i.X2 * sx, Y1 = i.Y1 * sy, Y2 = i.Y2 * sy,
            Polygons = i.Polygons.Select(p => Map(p, x => x * sx, y => y * sy)).ToList(),
            Bitmask = i.Bitmask is null ? null : ResizeMask(i.Bitmask, oldHeight, oldWidth, newHeight, newWidth),
        }).ToList();
    }

    /// <summary>
    /// Crops to the window (x0, y0, cropWidth, cropHeight) of an image of <paramref name="width"/>×<paramref name="height"/>;
    /// the output image is the window clipped to the image. Polygons are clipped to the (unclipped) window like
    /// fvcore's CropTransform; a polygon that leaves it disappears.
    /// </summary>
    public static List<Instance> Crop(IEnumerable<Instance> instances, int x0, int y0, int cropWidth, int cropHeight,
        int width, int height)
    {
        var (outW, outH) = (Math.Min(cropWidth, width - x0), Math.Min(cropHeight, height - y0));
        return instances.Select(i => i with
        {
            X1 = Math.Clamp(i.X1 - x0, 0, outW), X2 = Math.Clamp(i.X2 - x0, 0, outW),
            Y1 = Math.Clamp(i.Y1 - y0, 0, outH), Y2 = Math.Clamp(i.Y2 - y0, 0, outH),
            Polygons = i.Polygons.Select(p => PolygonClipper.Clip(p, x0, y0, x0 + cropWidth, y0 + cropHeight))
                .OfType<double[]>().Select(p => Map(p, x => x - x0, y => y - y0)).ToList(),
            Bitmask = i.Bitmask is null ? null : CropMask(i.Bitmask, height, width, new Rect(x0, y0, outW, outH)),
        }).ToList();
    }

    /// <summary>detectron2 recompute_boxes: tight bounds of the polygons' vertices (or of the bitmask's pixels).</summary>
    public static List<Instance> RecomputeBoxes(IEnumerable<Instance> instances, int width)
    {
        return instances.Select(i =>
        {
            if (i.Polygons.Count > 0)
            {
                double x1 = double.MaxValue, y1 = double.MaxValue, x2 = double.MinValue, y2 = double.MinValue;
                foreach (var p in i.Polygons)
                for (var k = 0; k + 1 < p.Length; k += 2)
                {
                    x1 = Math.Min(x1, p[k]); x2 = Math.Max(x2, p[k]);
                    y1 = Math.Min(y1, p[k + 1]); y2 = Math.Max(y2, p[k + 1]);
                }
                return i with { X1 = x1, Y1 = y1, X2 = x2, Y2 = y2 };
            }
            if (i.Bitmask is { } m)
            {
                // BitMasks.get_bounding_boxes: [min x, min y, max x + 1, max y + 1] of set pixels, zeros if empty.
                int minX = int.MaxValue, minY = int.MaxValue, maxX = -1, maxY = -1;
                for (var k = 0; k < m.Length; k++)
                {
                    if (m[k] == 0) continue;
                    var (y, x) = (k / width, k % width);
                    minX = Math.Min(minX, x); maxX = Math.Max(maxX, x); minY = Math.Min(minY, y); maxY = Math.Max(maxY, y);
                }
                return maxX < 0 ? i with { X1 = 0, Y1 = 0, X2 = 0, Y2 = 0 } : i with { X1 = minX, Y1 = minY, X2 = maxX + 1, Y2 = maxY + 1 };
            }
            return i;
        }).ToList();
    }

    /// <summary>detectron2 filter_empty_instances: box width and height > 1e-5 and (when masks are used) a mask left.</summary>
    public static List<Instance> FilterEmpty(IEnumerable<Instance> instances, bool requireMask = true) =>
        instances.Where(i => i.BoxWidth > 1e-5 && i.BoxHeight > 1e-5 && (!requireMask || i.HasMask)).ToList();

    private static double[] Map(double[] polygon, Func<double, double> fx, Func<double, double> fy)
    {
        var result = new double[polygon.Length];
        for (var k = 0; k + 1 < polygon.Length; k += 2)
        {
            result[k] = fx(polygon[k]);
            result[k + 1] = fy(polygon[k + 1]);
        }
        return result;
    }

    private static byte[] TransformMask(byte[] mask, int height, int width, Action<Mat> edit)
    {
        using var mat = ChwConversion.FromBytes(mask, height, width);
        edit(mat);
        return ChwConversion.ToBytes(mat);
    }

    private static byte[] ResizeMask(byte[] mask, int oldHeight, int oldWidth, int newHeight, int newWidth)
    {
        // detectron2's ResizeTransform.apply_segmentation: PIL NEAREST, which samples at pixel centres (cv2's
        // INTER_NEAREST samples at top-left corners).
        return PilResize.Resize(mask, oldWidth, oldHeight, 1, newWidth, newHeight, PilFilter.Nearest);
    }

    private static byte[] CropMask(byte[] mask, int height, int width, Rect window)
    {
        using var mat = ChwConversion.FromBytes(mask, height, width);
        using var cropped = new Mat(mat, window).Clone();
        return ChwConversion.ToBytes(cropped);
    }
}

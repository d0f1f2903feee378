using VimDense.Datasets.Masks;

namespace VimDense.Datasets.Coco;

/// <summary>
/// The "segmentation" of a COCO annotation or result: a polygon list (rasterised on the image grid when
/// needed) or an RLE (from uncompressed integer counts or a compressed string, already validated).
/// <see cref="ToRle"/> gives the mask the way pycocotools' <c>annToRLE</c> does.
/// </summary>
public sealed class CocoSegmentation
{
    private IReadOnlyList<double[]>? _polygons;
    private readonly double[]? _box;

    private CocoSegmentation(IReadOnlyList<double[]>? polygons, Rle? rle, double[]? box = null)
    {
        _polygons = polygons;
        Rle = rle;
        _box = box;
    }

    /// <summary>The polygons when the segmentation is a polygon list (or a box's one polygon); null for RLE.</summary>
    public IReadOnlyList<double[]>? Polygons => _polygons ??= _box is { } b ? [BoxPolygon(b)] : null;

    /// <summary>The mask when the segmentation is an RLE; null for polygons.</summary>
    public Rle? Rle { get; }

    public static CocoSegmentation FromPolygons(IReadOnlyList<double[]> polygons) => new(polygons, null);
    public static CocoSegmentation FromRle(Rle rle) => new(null, rle);

    /// <summary>
    /// A box [x, y, w, h] as its polygon (x1, y1, x1, y2, x2, y2, x2, y1), loadRes' mask for a box result. Built on
    /// first use: bbox evaluation of 500,000 results never needs it.
    /// </summary>
    public static CocoSegmentation FromBox(double[] box) => new(null, null, box);

    private static double[] BoxPolygon(double[] b)
    {
        double x1 = b[0], x2 = b[0] + b[2], y1 = b[1], y2 = b[1] + b[3];
        return [x1, y1, x1, y2, x2, y2, x2, y1];
    }

    /// <summary>The mask: polygons are rasterised on the image grid and unioned (frPyObjects + merge), RLEs keep their own size.</summary>
    public Rle ToRle(int imageHeight, int imageWidth) => Rle ?? RleCodec.FromPolygons(Polygons!, imageHeight, imageWidth);
}

using VimDense.Datasets.Masks;

namespace VimDense.Datasets.Coco;

/// <summary>
/// The "segmentation" of a COCO annotation or result: a polygon list (rasterised on the image grid when
/// needed) or an RLE (from uncompressed integer counts or a compressed string, already validated).
/// <see cref="ToRle"/> gives the mask the way pycocotools' <c>annToRLE</c> does.
/// </summary>
public sealed class CocoSegmentation
{
    private CocoSegmentation(IReadOnlyList<double[]>? polygons, Rle? rle)
    {
        Polygons = polygons;
        Rle = rle;
    }

    /// <summary>The polygons when the segmentation is a polygon list; null for RLE.</summary>
    public IReadOnlyList<double[]>? Polygons { get; }

    /// <summary>The mask when the segmentation is an RLE; null for polygons.</summary>
    public Rle? Rle { get; }

    public static CocoSegmentation FromPolygons(IReadOnlyList<double[]> polygons) => new(polygons, null);
    public static CocoSegmentation FromRle(Rle rle) => new(null, rle);

    /// <summary>The mask: polygons are rasterised on the image grid and unioned (frPyObjects + merge), RLEs keep their own size.</summary>
    public Rle ToRle(int imageHeight, int imageWidth) => Rle ?? RleCodec.FromPolygons(Polygons!, imageHeight, imageWidth);
}

using VimDense.Datasets.Masks;

namespace VimDense.Datasets.Coco;

/// <summary>
/// An entry of "annotations". <see cref="Box"/> is COCO's [x, y, w, h]; the segmentation is either polygons
/// (each [x0, y0, x1, y1, ...], already filtered to even length ≥ 6 as detectron2 does), a run-length mask
/// (crowd regions; uncompressed or compressed in the file), or absent (detection-only files).
/// </summary>
public sealed record CocoAnnotation(long Id, long ImageId, int CategoryId, int CategoryIndex, double[] Box, double Area,
    bool IsCrowd, IReadOnlyList<double[]>? Polygons, Rle? Mask)
{
    /// <summary>The box as (x1, y1, x2, y2).</summary>
    public (double X1, double Y1, double X2, double Y2) BoxXyxy => (Box[0], Box[1], Box[0] + Box[2], Box[1] + Box[3]);
}

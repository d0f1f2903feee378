namespace VimDense.Datasets.Coco;

/// <summary>
/// One entry of a COCO file: a ground-truth annotation or a detection result, with the fields COCO reads.
/// For results, <see cref="Id"/>, <see cref="Area"/> and <see cref="IsCrowd"/> are set by the loading rules of
/// pycocotools' <c>COCO.loadRes</c> (Evaluation's <c>CocoResults</c>).
/// </summary>
public sealed class CocoAnnotation
{
    public long Id { get; set; }
    public long ImageId { get; set; }
    public long CategoryId { get; set; }

    /// <summary>[x, y, w, h] in original-image pixels (COCO's box mode), or null when absent.</summary>
    public double[]? Bbox { get; set; }

    /// <summary>Ground truth: the file's "area" (segment area; NaN when the file has none). Results: box or mask area, per loadRes.</summary>
    public double Area { get; set; }

    public bool IsCrowd { get; set; }

    /// <summary>Detection confidence (results only).</summary>
    public double Score { get; set; }

    public CocoSegmentation? Segmentation { get; set; }

    /// <summary>A shallow copy (box and segmentation shared; neither is mutated by the readers or views).</summary>
    public CocoAnnotation Copy() => (CocoAnnotation)MemberwiseClone();
}

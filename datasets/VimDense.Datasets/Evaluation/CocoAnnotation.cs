namespace VimDense.Datasets.Evaluation;

/// <summary>
/// One ground-truth annotation or one detection result, with the fields COCO evaluation reads.
/// For results, <see cref="Id"/>, <see cref="Area"/> and <see cref="IsCrowd"/> are set by the loading rules of
/// pycocotools' <c>COCO.loadRes</c> (see <see cref="CocoResults"/>).
/// </summary>
public sealed class CocoAnnotation
{
    public long Id { get; set; }
    public long ImageId { get; set; }
    public long CategoryId { get; set; }

    /// <summary>[x, y, w, h] in original-image pixels, or null when absent.</summary>
    public double[]? Bbox { get; set; }

    /// <summary>Ground truth: the file's "area" (segment area). Results: box or mask area, per loadRes.</summary>
    public double Area { get; set; }

    public bool IsCrowd { get; set; }

    /// <summary>Detection confidence (results only).</summary>
    public double Score { get; set; }

    public CocoSegmentation? Segmentation { get; set; }
}

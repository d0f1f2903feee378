using VimDense.Datasets.Coco;
using VimDense.Datasets.Evaluation;
using VimDense.Datasets.Masks;
using VimDense.Structures;

namespace VimDense.Experiments;

/// <summary>
/// Detector output → COCO results entries (what <see cref="CocoResultsWriter"/> writes and
/// <see cref="CocoEvaluator"/> reads): the class index becomes the dataset's category id, boxes become
/// COCO's [x, y, w, h] in original-image pixels and masks become COCO RLEs (pycocotools-exact encoding).
/// </summary>
public static class CocoDetectionResults
{
    /// <param name="imageId">the COCO image id</param>
    /// <param name="height">height of the original image (the detections' bitmasks are its size)</param>
    /// <param name="width">width of the original image</param>
    /// <param name="detections">detections at the original image resolution</param>
    /// <param name="categoryIds">COCO category id of each contiguous class index</param>
    public static IEnumerable<CocoAnnotation> From(long imageId, int height, int width, IEnumerable<Instance> detections, IReadOnlyList<long> categoryIds)
    {
        foreach (var d in detections)
        {
            if (d.ClassIndex < 0 || d.ClassIndex >= categoryIds.Count)
                throw new ArgumentException($"class index {d.ClassIndex} has no category id ({categoryIds.Count} categories)", nameof(detections));
            yield return new CocoAnnotation
            {
                ImageId = imageId,
                CategoryId = categoryIds[d.ClassIndex],
                Score = d.Score,
                Bbox = d.Box(BoxMode.XywhAbs),
                Segmentation = d.Bitmask is null ? null : CocoSegmentation.FromRle(RleCodec.Encode(d.Bitmask, height, width)),
            };
        }
    }
}

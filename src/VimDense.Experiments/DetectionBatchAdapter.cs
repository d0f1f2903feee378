using VimDense.Datasets.Loading;
using HeadTarget = VimDense.Heads.Detection.DetectionTarget;

namespace VimDense.Experiments;

/// <summary>
/// Feeds the data pipeline's <see cref="DetectionBatch"/> to the detector (heads and datasets do not know
/// each other): ground truth as the heads' targets, and each image's valid and original sizes.
/// </summary>
public static class DetectionBatchAdapter
{
    /// <summary>
    /// Boxes, classes and masks of every image; masks are required when <paramref name="withMasks"/>
    /// (collate with rasterizeMasks: true).
    /// </summary>
    public static List<HeadTarget> Targets(DetectionBatch batch, bool withMasks)
    {
        var result = new List<HeadTarget>(batch.Count);
        for (var i = 0; i < batch.Count; i++)
        {
            var t = batch.Targets[i];
            if (withMasks && t.Masks is null)
                throw new ArgumentException($"batch image {i} ({batch.Samples[i].FileName}) has no rasterised masks; collate with rasterizeMasks: true", nameof(batch));
            result.Add(new HeadTarget(t.Boxes, t.Classes, withMasks ? t.Masks : null));
        }
        return result;
    }

    /// <summary>(height, width) of the valid (unpadded) region of each image.</summary>
    public static List<(long Height, long Width)> ImageSizes(DetectionBatch batch) =>
        batch.Samples.Select(s => ((long)s.Height, (long)s.Width)).ToList();

    /// <summary>(height, width) of each original image, where predictions are reported.</summary>
    public static List<(long Height, long Width)> OriginalSizes(DetectionBatch batch) =>
        batch.Samples.Select(s => ((long)s.OriginalHeight, (long)s.OriginalWidth)).ToList();
}

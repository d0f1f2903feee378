using VimDense.Datasets.Loading;
using VimDense.Engine;
using VimDense.Structures;

namespace VimDense.Experiments;

/// <summary>
/// Feeds the data pipeline's <see cref="DetectionBatch"/> to the detector: its ground truth (the shared
/// <see cref="Instances"/>, with or without masks), and each image's valid and original sizes.
/// </summary>
public static class DetectionBatchAdapter
{
    /// <summary>
    /// Boxes, classes and mask targets of every image; mask targets are required when <paramref name="withMasks"/>
    /// (collate with withMasks: true). With <paramref name="device"/>, boxes and classes are copies there (owned by the
    /// current dispose scope); mask targets are made on the boxes' device by <see cref="IInstanceMasks"/>.
    /// </summary>
    public static List<Instances> Targets(DetectionBatch batch, bool withMasks, TorchSharp.torch.Device? device = null)
    {
        var result = new List<Instances>(batch.Count);
        for (var i = 0; i < batch.Count; i++)
        {
            var t = batch.Targets[i];
            if (withMasks && t.GtMasks is null && t.Masks is null)
                throw new ArgumentException($"batch image {i} ({batch.Samples[i].FileName}) has no mask targets; collate with withMasks: true", nameof(batch));
            var target = withMasks ? t : t.WithoutMasks();
            if (device is not null && !DevicePlacement.IsOn(t.Boxes, device))
                target = new Instances
                {
                    Boxes = t.Boxes.to(device), Classes = t.Classes.to(device), Scores = t.Scores?.to(device),
                    Masks = withMasks ? t.Masks?.to(device) : null, GtMasks = withMasks ? t.GtMasks : null, Polygons = t.Polygons,
                };
            result.Add(target);
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

using OpenCvSharp;
using VimDense.Datasets.Loading;
using VimDense.Datasets.Transforms;
using VimDense.Datasets.Visual;

namespace VimDense.Experiments;

/// <summary>
/// A data set sample as the model sees it (after its pipeline, de-normalised) with its labels drawn on: the label map
/// for segmentation, boxes, class names and masks for detection. Used by `show` and `browse-dataset`.
/// </summary>
public static class SampleOverlay
{
    /// <param name="palette">One colour per class (the data set's, <c>data.palette</c>); null: the default palette.</param>
    public static Mat Segmentation(SegmentationSample sample, NormalizeOptions norm, IReadOnlyList<(byte R, byte G, byte B)>? palette = null)
    {
        using var image = ChwConversion.ToBgr(sample.Image, sample.Height, sample.Width, norm);
        return OverlayRenderer.Segmentation(image, sample.Label, sample.LabelHeight, sample.LabelWidth, palette: palette);
    }

    public static Mat Detection(DetectionSample sample, NormalizeOptions norm, IReadOnlyList<string> classNames)
    {
        using var image = ChwConversion.ToBgr(sample.Image, sample.Height, sample.Width, norm);
        var bitmasks = sample.Instances.Select(inst => inst.Bitmask is null ? null
            : ChwConversion.FromBytes(inst.Bitmask, sample.Height, sample.Width)).ToList();
        try
        {
            return OverlayRenderer.Detection(image,
                sample.Instances.Select(x => ((float)x.X1, (float)x.Y1, (float)x.X2, (float)x.Y2)).ToList(),
                sample.Instances.Select(x => x.ClassIndex).ToList(),
                sample.Instances.Select(x => x.Polygons).ToList(), classNames, bitmasks);
        }
        finally
        {
            foreach (var m in bitmasks) m?.Dispose();
        }
    }
}

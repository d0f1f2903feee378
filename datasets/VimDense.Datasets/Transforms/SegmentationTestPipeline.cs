using OpenCvSharp;
using VimDense.Datasets.Loading;

namespace VimDense.Datasets.Transforms;

/// <summary>
/// The mmseg test pipeline: keep-ratio resize to the scale (bilinear), normalise, no padding; the label map
/// stays at the original resolution because the metric is computed there. Uses no randomness.
/// </summary>
public sealed class SegmentationTestPipeline(SegmentationPipelineOptions options) : ISegmentationPipeline
{
    public SegmentationPipelineOptions Options { get; } = options;

    public SegmentationSample Apply(Mat bgr, Mat label, string name, Random rng)
    {
        if (bgr.Size() != label.Size())
            throw new BadSampleException($"{name}: image is {bgr.Width}x{bgr.Height} but its label map is {label.Width}x{label.Height}");
        var (w, h) = KeepRatioScale.Mmcv(bgr.Width, bgr.Height, Options.Scale.Long, Options.Scale.Short);
        using var resized = new Mat();
        Cv2.Resize(bgr, resized, new Size(w, h), 0, 0, InterpolationFlags.Linear);
        using var labelCopy = label.Clone(); // a continuous copy
        return new SegmentationSample
        {
            Name = name,
            Image = ChwConversion.ToNormalizedChw(resized, Options.Normalize, h, w),
            Height = h,
            Width = w,
            Label = ChwConversion.ToBytes(labelCopy),
            LabelHeight = label.Height,
            LabelWidth = label.Width,
            OriginalHeight = bgr.Height,
            OriginalWidth = bgr.Width,
            ContentHeight = h,
            ContentWidth = w,
        };
    }
}

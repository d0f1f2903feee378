using OpenCvSharp;
using VimDense.Datasets.Loading;

namespace VimDense.Datasets.Transforms;

/// <summary>
/// The mmseg ADE20K training pipeline after loading: RandomResize (keep ratio, r ~ U[0.5, 2)), RandomCrop with
/// cat_max_ratio, RandomFlip, PhotoMetricDistortion (BGR uint8), then normalise and pad to the crop size
/// (image 0, label 255). Images resize bilinearly and labels with nearest neighbour, as cv2 does in mmcv.
/// </summary>
public sealed class SegmentationTrainPipeline(SegmentationPipelineOptions options) : ISegmentationPipeline
{
    private readonly PhotoMetricDistortion _distortion = new();

    public SegmentationPipelineOptions Options { get; } = options;

    public SegmentationSample Apply(Mat bgr, Mat label, string name, Random rng)
    {
        if (bgr.Size() != label.Size())
            throw new BadSampleException($"{name}: image is {bgr.Width}x{bgr.Height} but its label map is {label.Width}x{label.Height}");
        var o = Options;
        var ratio = o.RatioRange.Min + rng.NextDouble() * (o.RatioRange.Max - o.RatioRange.Min);
        var (w, h) = KeepRatioScale.Mmcv(bgr.Width, bgr.Height, (int)(o.Scale.Long * ratio), (int)(o.Scale.Short * ratio));
        using var resized = new Mat();
        using var resizedLabel = new Mat();
        Cv2.Resize(bgr, resized, new Size(w, h), 0, 0, InterpolationFlags.Linear);
        Cv2.Resize(label, resizedLabel, new Size(w, h), 0, 0, InterpolationFlags.Nearest);

        var labelBytes = ChwConversion.ToBytes(resizedLabel);
        var crop = CategoryLimitedCrop.Choose(labelBytes, h, w, o.CropSize.Height, o.CropSize.Width, o.CatMaxRatio, o.IgnoreIndex, rng);
        using var image = new Mat(resized, crop).Clone();
        using var cropLabel = new Mat(resizedLabel, crop).Clone();

        var flip = rng.NextDouble() < o.FlipProbability;
        if (flip)
        {
            Cv2.Flip(image, image, FlipMode.Y);
            Cv2.Flip(cropLabel, cropLabel, FlipMode.Y);
        }
        if (o.PhotoMetricDistortion) _distortion.Apply(image, rng);

        var (padH, padW) = (Math.Max(o.CropSize.Height, image.Height), Math.Max(o.CropSize.Width, image.Width));
        return new SegmentationSample
        {
            Name = name,
            Image = ChwConversion.ToNormalizedChw(image, o.Normalize, padH, padW),
            Height = padH,
            Width = padW,
            Label = ChwConversion.ToPaddedLabel(cropLabel, padH, padW, o.IgnoreIndex),
            LabelHeight = padH,
            LabelWidth = padW,
            OriginalHeight = bgr.Height,
            OriginalWidth = bgr.Width,
            ContentHeight = image.Height,
            ContentWidth = image.Width,
            Flipped = flip,
        };
    }
}

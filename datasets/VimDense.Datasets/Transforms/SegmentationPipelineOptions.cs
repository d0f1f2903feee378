using Newtonsoft.Json;
using VimDense.Config;

namespace VimDense.Datasets.Transforms;

/// <summary>
/// Sizes and probabilities of the mmseg semantic-segmentation pipelines, bound from a segmentation config's data
/// section (scale, ratio_range, crop_size, cat_max_ratio, flip_probability, photo_metric_distortion, mean, std).
/// Defaults are the ADE20K 512×512 recipe; tests and demos shrink <see cref="Scale"/> and <see cref="CropSize"/>.
/// </summary>
public sealed record SegmentationPipelineOptions
{
    /// <summary>Keep-ratio scale (long edge, short edge): (2048, 512) for ADE20K.</summary>
    [Min(1)]
    public (int Long, int Short) Scale { get; init; } = (2048, 512);

    /// <summary>RandomResize ratio range: the scale is multiplied by r ~ U[min, max).</summary>
    [Min(0, Exclusive = true), Ordered, Finite]
    public (double Min, double Max) RatioRange { get; init; } = (0.5, 2.0);

    /// <summary>Training crop (height, width); samples are padded up to it.</summary>
    [Min(1)]
    public (int Height, int Width) CropSize { get; init; } = (512, 512);

    /// <summary>RandomCrop category limit; 1.0 disables the check.</summary>
    [Min(0), Max(1)]
    public double CatMaxRatio { get; init; } = 0.75;

    /// <summary>Horizontal flip probability.</summary>
    [Min(0), Max(1)]
    public double FlipProbability { get; init; } = 0.5;

    /// <summary>Whether PhotoMetricDistortion runs (with mmseg's default ranges).</summary>
    public bool PhotoMetricDistortion { get; init; } = true;

    /// <summary>Label value that is ignored by the crop rule, the loss and the metric; also the label pad value (model.ignore_index).</summary>
    [JsonIgnore]
    public byte IgnoreIndex { get; init; } = 255;

    /// <summary>Image normalisation (after which the image pad value is 0).</summary>
    [JsonIgnore]
    public NormalizeOptions Normalize { get; init; } = NormalizeOptions.ImageNet;

    /// <summary>Per-channel mean of <see cref="Normalize"/> (config key mean).</summary>
    [Count(3), Finite]
    public float[] Mean { get => Normalize.Mean; init => Normalize = Normalize with { Mean = value }; }

    /// <summary>Per-channel std of <see cref="Normalize"/> (config key std).</summary>
    [Count(3), Min(0, Exclusive = true), Finite]
    public float[] Std { get => Normalize.Std; init => Normalize = Normalize with { Std = value }; }
}

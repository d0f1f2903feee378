using Newtonsoft.Json;
using VimDense.Config;

namespace VimDense.Datasets.Transforms;

/// <summary>
/// Sizes of the detectron2 ViTDet large-scale-jitter pipelines, bound from a detection config's data section
/// (image_size, lsj_scale_range, flip_probability, mean, std). Defaults are the 1024² COCO recipe; tests and
/// demos use small sizes.
/// </summary>
public sealed record DetectionPipelineOptions
{
    /// <summary>ResizeScale target and FixedSizeCrop size (height, width); also the square the batch is padded to.</summary>
    [JsonIgnore]
    public (int Height, int Width) ImageSize { get; init; } = (1024, 1024);

    /// <summary>Config key image_size: a square <see cref="ImageSize"/> that is also the test resize's short edge and max size.</summary>
    [JsonProperty("image_size")]
    [Min(1)]
    public int SquareSize
    {
        get => ImageSize.Height;
        init => (ImageSize, TestShortEdge, TestMaxSize) = ((value, value), value, value);
    }

    /// <summary>ResizeScale range of s (target = s·ImageSize).</summary>
    [JsonProperty("lsj_scale_range")]
    [Min(0, Exclusive = true), Ordered, Finite]
    public (double Min, double Max) ScaleRange { get; init; } = (0.1, 2.0);

    [Min(0), Max(1)]
    public double FlipProbability { get; init; } = 0.5;

    /// <summary>Test resize: ResizeShortestEdge(short edge, max size).</summary>
    [JsonIgnore]
    public int TestShortEdge { get; init; } = 1024;
    [JsonIgnore]
    public int TestMaxSize { get; init; } = 1024;

    /// <summary>Replace boxes by the tight bounds of the transformed masks (recompute_boxes).</summary>
    [JsonIgnore]
    public bool RecomputeBoxes { get; init; } = true;

    [JsonIgnore]
    public NormalizeOptions Normalize { get; init; } = NormalizeOptions.ImageNet;

    /// <summary>Per-channel mean of <see cref="Normalize"/> (config key mean).</summary>
    [Count(3), Finite]
    public float[] Mean { get => Normalize.Mean; init => Normalize = Normalize with { Mean = value }; }

    /// <summary>Per-channel std of <see cref="Normalize"/> (config key std).</summary>
    [Count(3), Min(0, Exclusive = true), Finite]
    public float[] Std { get => Normalize.Std; init => Normalize = Normalize with { Std = value }; }
}

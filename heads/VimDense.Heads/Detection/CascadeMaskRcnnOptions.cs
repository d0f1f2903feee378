namespace VimDense.Heads.Detection;

/// <summary>Whole-detector settings; defaults are ViTDet's / Vim-det's Cascade Mask R-CNN.</summary>
public sealed record CascadeMaskRcnnOptions
{
    /// <summary>Channels of the SimpleFeaturePyramid levels and of everything after it.</summary>
    public int PyramidChannels { get; init; } = 256;
    /// <summary>
    /// Whether the model normalises its inputs itself ((x − mean) / std on 0–255 RGB). False (default): the
    /// images arrive normalised, as the data pipeline's DetectionBatch delivers them.
    /// </summary>
    public bool NormalizeInputs { get; init; }
    /// <summary>RGB pixel mean and std (0–255 inputs) used when <see cref="NormalizeInputs"/>; detectron2's ImageNet constants.</summary>
    public IReadOnlyList<double> PixelMean { get; init; } = [123.675, 116.28, 103.53];
    public IReadOnlyList<double> PixelStd { get; init; } = [58.395, 57.12, 57.375];
    /// <summary>Batches are zero-padded (after normalisation) to a multiple of this; ViTDet pads to a 1024 square.</summary>
    public int SizeDivisibility { get; init; } = 32;
    public RpnOptions Rpn { get; init; } = new();
    public RoiHeadsOptions RoiHeads { get; init; } = new();
}

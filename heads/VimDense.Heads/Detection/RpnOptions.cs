namespace VimDense.Heads.Detection;

/// <summary>Anchors and RPN settings (config model.rpn); defaults are ViTDet's (reference/dense_prediction.md §6.3).</summary>
public sealed record RpnOptions
{
    /// <summary>Anchor size of each pyramid level P2..P6 (one size, <see cref="AnchorRatios"/> aspect ratios per location).</summary>
    public IReadOnlyList<double> AnchorSizes { get; init; } = [32, 64, 128, 256, 512];
    public IReadOnlyList<double> AnchorRatios { get; init; } = [0.5, 1.0, 2.0];
    public int ConvLayers { get; init; } = 2;
    /// <summary>Recompute the RPN head's convolutions in backward (keeps only the logits and deltas): model.rpn.checkpoint.</summary>
    public bool Checkpoint { get; init; }
    public int PreNmsTopKTrain { get; init; } = 2000;
    public int PreNmsTopKTest { get; init; } = 1000;
    public int PostNmsTopKTrain { get; init; } = 1000;
    public int PostNmsTopKTest { get; init; } = 1000;
    public double NmsThreshold { get; init; } = 0.7;
    /// <summary>Proposals narrower or lower than this (input pixels) are dropped before NMS.</summary>
    public double MinBoxSize { get; init; } = 0.0;
    public int BatchSizePerImage { get; init; } = 256;
    public double PositiveFraction { get; init; } = 0.5;
}

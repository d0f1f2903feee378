namespace VimDense.Heads.Detection;

/// <summary>Cascade ROI-head settings; defaults are ViTDet's Cascade Mask R-CNN (reference/dense_prediction.md §6.4).</summary>
public sealed record RoiHeadsOptions
{
    public int NumClasses { get; init; } = 80;
    /// <summary>Foreground IoU threshold of each stage (its length is the number of stages).</summary>
    public IReadOnlyList<double> StageIous { get; init; } = [0.5, 0.6, 0.7];
    /// <summary>Box2BoxTransform weights (wx, wy, ww, wh) of each stage.</summary>
    public IReadOnlyList<double[]> StageWeights { get; init; } = [[10, 10, 5, 5], [20, 20, 10, 10], [30, 30, 15, 15]];
    public int BatchSizePerImage { get; init; } = 512;
    public double PositiveFraction { get; init; } = 0.25;
    public int BoxPoolSize { get; init; } = 7;
    public int MaskPoolSize { get; init; } = 14;
    public int ConvDim { get; init; } = 256;
    public int BoxConvLayers { get; init; } = 4;
    public int FcDim { get; init; } = 1024;
    public int MaskConvLayers { get; init; } = 4;
    public bool Masks { get; init; } = true;
    public double ScoreThreshold { get; init; } = 0.05;
    public double NmsThreshold { get; init; } = 0.5;
    public int DetectionsPerImage { get; init; } = 100;
}

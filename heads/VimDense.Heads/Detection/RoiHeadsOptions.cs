namespace VimDense.Heads.Detection;

/// <summary>
/// Cascade ROI-head settings (config model.roi_heads; the class count comes from model.num_classes); defaults are
/// ViTDet's Cascade Mask R-CNN (reference/dense_prediction.md §6.4).
/// </summary>
public sealed record RoiHeadsOptions
{
    public int NumClasses { get; init; } = 80;
    /// <summary>Foreground IoU threshold of each stage (its length is the number of stages, at most <see cref="StageWeights"/>' count).</summary>
    public IReadOnlyList<double> StageIous { get; init; } = [0.5, 0.6, 0.7];
    /// <summary>Box2BoxTransform weights (wx, wy, ww, wh) of each stage; stages beyond <see cref="StageIous"/> are unused.</summary>
    public IReadOnlyList<double[]> StageWeights { get; init; } = [[10, 10, 5, 5], [20, 20, 10, 10], [30, 30, 15, 15]];
    public int BatchSizePerImage { get; init; } = 512;
    public double PositiveFraction { get; init; } = 0.25;
    /// <summary>RoIAlign output side of the box head and of the mask head (whose targets are twice as large).</summary>
    public int BoxPoolSize { get; init; } = 7;
    public int MaskPoolSize { get; init; } = 14;
    public int ConvDim { get; init; } = 256;
    public int BoxConvLayers { get; init; } = 4;
    public int FcDim { get; init; } = 1024;
    public int MaskConvLayers { get; init; } = 4;
    public bool Masks { get; init; } = true;
    /// <summary>Recompute each cascade stage's box head and the mask head in backward (keeps their pooled inputs): model.roi_heads.checkpoint.</summary>
    public bool Checkpoint { get; init; }
    /// <summary>Inference: minimum score, per-class NMS IoU and detections kept per image.</summary>
    public double ScoreThreshold { get; init; } = 0.05;
    public double NmsThreshold { get; init; } = 0.5;
    public int DetectionsPerImage { get; init; } = 100;
}

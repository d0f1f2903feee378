namespace VimDense.Config;

/// <summary>Detection (task "detection"): cascade box heads and mask head; defaults are ViTDet's Cascade Mask R-CNN.</summary>
public sealed class RoiHeadsConfig
{
    /// <summary>Foreground IoU threshold of each cascade stage (up to 3 stages; the box weights are detectron2's per stage).</summary>
    public List<double> StageIous { get; set; } = [0.5, 0.6, 0.7];
    public int BatchSizePerImage { get; set; } = 512;
    public double PositiveFraction { get; set; } = 0.25;
    public int ConvDim { get; set; } = 256;
    public int BoxConvLayers { get; set; } = 4;
    public int FcDim { get; set; } = 1024;
    public int MaskConvLayers { get; set; } = 4;
    public bool Masks { get; set; } = true;
    /// <summary>Inference: minimum score, per-class NMS IoU and detections kept per image.</summary>
    public double ScoreThreshold { get; set; } = 0.05;
    public double NmsThreshold { get; set; } = 0.5;
    public int DetectionsPerImage { get; set; } = 100;
}

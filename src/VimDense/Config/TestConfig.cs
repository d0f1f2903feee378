namespace VimDense.Config;

/// <summary>Inference: whole or slide (crop, stride), optional flip and multi-scale test-time augmentation.</summary>
public sealed class TestConfig
{
    public string Mode { get; set; } = "slide";
    public int CropSize { get; set; } = 512;
    public int Stride { get; set; } = 341;
    public bool Flip { get; set; }
    public List<double> Scales { get; set; } = [1.0];
    /// <summary>Detection: overlays (after training, `vimdense predict`) draw the detections scoring at least this.</summary>
    public double OverlayScoreThreshold { get; set; } = 0.5;
}

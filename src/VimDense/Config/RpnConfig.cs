namespace VimDense.Config;

/// <summary>Detection (task "detection"): anchors and region proposal network; defaults are ViTDet's.</summary>
public sealed class RpnConfig
{
    /// <summary>Anchor size of each pyramid level P2..P6 (one size, <see cref="AnchorRatios"/> aspect ratios per location).</summary>
    public List<double> AnchorSizes { get; set; } = [32, 64, 128, 256, 512];
    public List<double> AnchorRatios { get; set; } = [0.5, 1.0, 2.0];
    public int ConvLayers { get; set; } = 2;
    public int PreNmsTopKTrain { get; set; } = 2000;
    public int PreNmsTopKTest { get; set; } = 1000;
    public int PostNmsTopKTrain { get; set; } = 1000;
    public int PostNmsTopKTest { get; set; } = 1000;
    public double NmsThreshold { get; set; } = 0.7;
    public int BatchSizePerImage { get; set; } = 256;
    public double PositiveFraction { get; set; } = 0.5;
}

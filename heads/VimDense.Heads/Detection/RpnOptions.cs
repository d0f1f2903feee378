namespace VimDense.Heads.Detection;

/// <summary>RPN settings; defaults are ViTDet's (reference/dense_prediction.md §6.3).</summary>
public sealed record RpnOptions
{
    public int ConvLayers { get; init; } = 2;
    public int PreNmsTopKTrain { get; init; } = 2000;
    public int PreNmsTopKTest { get; init; } = 1000;
    public int PostNmsTopKTrain { get; init; } = 1000;
    public int PostNmsTopKTest { get; init; } = 1000;
    public double NmsThreshold { get; init; } = 0.7;
    public double MinBoxSize { get; init; } = 0.0;
    public int BatchSizePerImage { get; init; } = 256;
    public double PositiveFraction { get; init; } = 0.5;
}

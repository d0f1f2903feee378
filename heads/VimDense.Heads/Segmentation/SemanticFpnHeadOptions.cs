namespace VimDense.Heads.Segmentation;

/// <summary>Semantic FPN head settings (mmseg FPNHead); config type "semantic_fpn".</summary>
public sealed record SemanticFpnHeadOptions : DecodeHeadOptions
{
    public int Channels { get; init; } = 512;
    public double DropoutRatio { get; init; } = 0.1;
    /// <summary>BN, SyncBN (identical in one process) or none.</summary>
    public string Norm { get; init; } = "SyncBN";
}

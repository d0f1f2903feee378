namespace VimDense.Heads.Segmentation;

/// <summary>UperNet head settings (mmseg UPerHead); config type "upernet".</summary>
public sealed record UperHeadOptions : DecodeHeadOptions
{
    public int Channels { get; init; } = 512;
    public IReadOnlyList<int> PoolScales { get; init; } = [1, 2, 3, 6];
    public double DropoutRatio { get; init; } = 0.1;
    /// <summary>BN, SyncBN (identical in one process) or none.</summary>
    public string Norm { get; init; } = "SyncBN";
}

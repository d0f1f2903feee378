namespace VimDense.Heads.Necks;

/// <summary>Feature2Pyramid settings (BEiT/Vim deconvolution pyramid from one width); config type "feature2pyramid".</summary>
public sealed record Feature2PyramidOptions
{
    /// <summary>Scale of each output relative to the input map (4: two deconvolutions, 0.5: max pool).</summary>
    public IReadOnlyList<double> Rescales { get; init; } = [4, 2, 1, 0.5];
    /// <summary>BN, SyncBN (identical in one process) or none.</summary>
    public string Norm { get; init; } = "SyncBN";
}

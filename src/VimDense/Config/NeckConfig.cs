namespace VimDense.Config;

/// <summary>Neck by name: feature2pyramid (Vim/BEiT deconvolutions), multilevel (mmseg ViT), fpn, or none.</summary>
public sealed class NeckConfig
{
    public string Type { get; set; } = "feature2pyramid";
    public List<double> Rescales { get; set; } = [4, 2, 1, 0.5];
    /// <summary>Output channels of multilevel / fpn (feature2pyramid keeps the backbone's).</summary>
    public int OutChannels { get; set; } = 256;
    /// <summary>BN, SyncBN (identical in one process) or none.</summary>
    public string Norm { get; set; } = "SyncBN";
}

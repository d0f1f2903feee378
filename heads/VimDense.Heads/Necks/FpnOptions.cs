namespace VimDense.Heads.Necks;

/// <summary>Segmentation FPN settings (lateral + output convs over the backbone's maps); config type "fpn" of a segmentor.</summary>
public sealed record FpnOptions
{
    public int OutChannels { get; init; } = 256;
}

namespace VimDense.Heads.Necks;

/// <summary>ViTDet SimpleFeaturePyramid settings (P2–P6 from the last backbone map); config type "simple_feature_pyramid".</summary>
public sealed record SimpleFeaturePyramidOptions
{
    /// <summary>Channels of every pyramid level (and of the detector after it).</summary>
    public int OutChannels { get; init; } = 256;
    /// <summary>Recompute the pyramid in backward (keeps only its input and the P2–P6 maps): model.neck.checkpoint.</summary>
    public bool Checkpoint { get; init; }
}

namespace VimDense.Backbones;

/// <summary>What a Vim dense feature map is made of (see <see cref="BackboneOptions.FeatureSource"/>).</summary>
public enum VimFeatureSource
{
    /// <summary>The block's raw mixer output (reference seg, Vim-Ti config).</summary>
    Mixer,
    /// <summary>The full residual stream after the block (reference seg Vim-S with use_residual_as_feature; det "add").</summary>
    Residual,
    /// <summary>norm_f of that stream (reference "add &amp; norm").</summary>
    ResidualNorm,
}

internal static class VimFeatureSources
{
    public static VimFeatureSource Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "mixer" => VimFeatureSource.Mixer,
        "residual" => VimFeatureSource.Residual,
        "residual_norm" => VimFeatureSource.ResidualNorm,
        _ => throw new UserInputException($"feature source '{text}': expected mixer, residual or residual_norm"),
    };
}

namespace VimDense.Backbones;

/// <summary>What a dense feature map of a block is made of (see <see cref="BackboneOptions.FeatureSource"/>).</summary>
public enum FeatureSource
{
    /// <summary>The block's raw mixer output (reference Vim seg, Vim-Ti config).</summary>
    Mixer,
    /// <summary>The full residual stream after the block (reference seg Vim-S with use_residual_as_feature; det "add"; DeiT's block output).</summary>
    Residual,
    /// <summary>norm_f of that stream (reference "add &amp; norm").</summary>
    ResidualNorm,
}

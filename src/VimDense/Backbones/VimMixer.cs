namespace VimDense.Backbones;

/// <summary>The token mixer of a Vim block.</summary>
public enum VimMixer
{
    /// <summary>Bidirectional SSM + conv with shared in/out projections (bimamba_type "v2", the released models).</summary>
    V2,
    /// <summary>Forward direction only (the unidirectional Mamba ablation).</summary>
    None,
}

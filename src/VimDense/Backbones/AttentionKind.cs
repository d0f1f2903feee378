namespace VimDense.Backbones;

/// <summary>The attention kernel of DeiT/ViT blocks.</summary>
public enum AttentionKind
{
    /// <summary>torch scaled_dot_product_attention.</summary>
    Sdpa,
    /// <summary>matmul + softmax, as timm did in 2021.</summary>
    Math,
}

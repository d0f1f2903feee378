namespace VimDense.Backbones;

/// <summary>Where class tokens sit in a token sequence of M patches.</summary>
public enum ClassTokenPlacement
{
    /// <summary>No class token.</summary>
    None,
    /// <summary>One token before the patches (ViT/DeiT, Vim "head" ablation).</summary>
    Head,
    /// <summary>One token at index M/2, between patch M/2-1 and M/2 (released Vim models).</summary>
    Middle,
    /// <summary>Two tokens, before and after the patches (Vim use_double_cls_token).</summary>
    Double,
}

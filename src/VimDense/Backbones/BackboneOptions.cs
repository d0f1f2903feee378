namespace VimDense.Backbones;

/// <summary>
/// Everything a backbone can be told, as a plain settable class with defaults so a JSON config binds to it.
/// Values left null take the variant's or mode's default (see <see cref="BackboneFactory"/>).
/// </summary>
public sealed class BackboneOptions
{
    /// <summary>Configured input height in pixels (position embeddings are sized for it; other sizes are resized on the fly).</summary>
    public int ImgSize { get; set; } = 224;

    /// <summary>Configured input width; null means square (<see cref="ImgSize"/>).</summary>
    public int? ImgWidth { get; set; }

    public int PatchSize { get; set; } = 16;

    /// <summary>Patch stride: 16, or 8 for the long-sequence "+" Vim models.</summary>
    public int Stride { get; set; } = 16;

    /// <summary>
    /// Zero padding of the patch convolution. Null: 0 in classification mode (as the reference, so the 224
    /// stride-8 grid is 27x27) and (patch - stride)/2 in dense mode (so a side S gives S/stride tokens).
    /// </summary>
    public int? PatchPadding { get; set; }

    /// <summary>Number of blocks; null = the variant's (24 for Vim, 12 for DeiT).</summary>
    public int? Depth { get; set; }

    /// <summary>Stochastic depth at the last block; blocks get linspace(0, rate, depth).</summary>
    public double DropPathRate { get; set; }

    /// <summary>Dropout after adding the position embedding.</summary>
    public double DropRate { get; set; }

    /// <summary>Dense mode: feature maps of <see cref="OutIndices"/>; otherwise classification (head on the class token).</summary>
    public bool Dense { get; set; } = true;

    /// <summary>Blocks whose outputs become feature maps; null = 5,11,17,23 for depth 24, 3,5,7,11 for depth 12, else four evenly spaced.</summary>
    public int[]? OutIndices { get; set; }

    /// <summary>Classes of the classification head (0: no head). Ignored in dense mode, which has no head.</summary>
    public int NumClasses { get; set; } = 1000;

    /// <summary>
    /// Class token placement: middle | head | double | none. Null: "middle" for Vim classification (the
    /// released checkpoints), "none" for Vim dense; "head" for DeiT in both modes (dropped from dense maps).
    /// </summary>
    public string? ClassToken { get; set; }

    /// <summary>Pooling when there is no class token: mean | max | none (last token).</summary>
    public string FinalPool { get; set; } = "mean";

    /// <summary>Vim mixer: v2 (bidirectional SSM + conv, shared in/out projections) or none (forward only).</summary>
    public string Mixer { get; set; } = "v2";

    /// <summary>Divide the sum of the two mixer directions by 2 (if_divide_out, true for all released models).</summary>
    public bool DivideOut { get; set; } = true;

    /// <summary>The "bidirectional layer" ablation: blocks processed in pairs, the second on the reversed sequence.</summary>
    public bool BidirectionalPairs { get; set; }

    /// <summary>
    /// What a Vim dense feature is: mixer (raw mixer output of the block, as the reference seg code for Vim-Ti),
    /// residual (the full residual stream after the block, as the reference Vim-S seg and the det code), or
    /// residual_norm (that stream through norm_f).
    /// </summary>
    public string FeatureSource { get; set; } = "residual";

    public int DState { get; set; } = 16;
    public int Expand { get; set; } = 2;
    public int ConvWidth { get; set; } = 4;

    /// <summary>DeiT/ViT: ViTDet window attention size in tokens (0: global attention everywhere).</summary>
    public int WindowSize { get; set; }

    /// <summary>DeiT/ViT blocks that keep global attention when windows are on; null = 2,5,8,11 (scaled to the depth).</summary>
    public int[]? GlobalBlocks { get; set; }

    /// <summary>DeiT/ViT attention kernel: sdpa (torch scaled_dot_product_attention) or math (matmul + softmax, as timm in 2021).</summary>
    public string Attention { get; set; } = "sdpa";

    public BackboneOptions Clone() => (BackboneOptions)MemberwiseClone();
}

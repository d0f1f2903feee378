namespace VimDense.Backbones;

/// <summary>DeiT/ViT options (timm vision_transformer, ViTDet windows) beyond the common <see cref="BackboneOptions"/>.</summary>
public sealed record VitOptions : BackboneOptions
{
    /// <summary>ViTDet window attention size in tokens (0: global attention everywhere).</summary>
    public int WindowSize { get; init; }

    /// <summary>Blocks that keep global attention when windows are on; null = 2,5,8,11 (scaled to the depth).</summary>
    public int[]? GlobalBlocks { get; init; }

    public AttentionKind Attention { get; init; } = AttentionKind.Sdpa;
}

namespace VimDense.Backbones;

/// <summary>A named DeiT/ViT size (timm deit_{tiny,small,base}_patch16_224): width, depth and attention heads.</summary>
public sealed record VitVariant(string Name, int EmbedDim, int Depth, int Heads)
{
    public static IReadOnlyList<VitVariant> All { get; } =
    [
        new("deit_tiny", 192, 12, 3),
        new("deit_small", 384, 12, 6),
        new("deit_base", 768, 12, 12),
    ];

    /// <summary>The backbone with timm's initialisation.</summary>
    public VisionTransformer Create(VitOptions options)
    {
        options.CheckImageSize();
        return new VisionTransformer(EmbedDim, Heads, options with { Depth = options.Depth ?? Depth });
    }
}

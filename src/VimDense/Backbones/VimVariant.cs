namespace VimDense.Backbones;

/// <summary>A named Vision Mamba size (hustvl/Vim vim_{tiny,small,base}_patch16_224): width and depth.</summary>
public sealed record VimVariant(string Name, int EmbedDim, int Depth)
{
    public static IReadOnlyList<VimVariant> All { get; } =
    [
        new("vim_tiny", 192, 24),
        new("vim_small", 384, 24),
        new("vim_base", 768, 24),
    ];

    /// <summary>The backbone with the reference initialisation.</summary>
    public VisionMamba Create(VimOptions options)
    {
        options.CheckImageSize();
        return new VisionMamba(EmbedDim, options with { Depth = options.Depth ?? Depth });
    }
}

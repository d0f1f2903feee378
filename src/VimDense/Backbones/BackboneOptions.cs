using VimDense.Config;

namespace VimDense.Backbones;

/// <summary>
/// What every backbone family can be told (timm's common VisionTransformer arguments); a family's record
/// (<see cref="VimOptions"/>, <see cref="VitOptions"/>) adds its own. Property initialisers are the defaults; values
/// left null take the variant's or mode's default. Configs bind model.backbone.options into the family's record.
/// </summary>
public abstract record BackboneOptions
{
    /// <summary>Configured input height in pixels (position embeddings are sized for it; other sizes are resized on the fly).</summary>
    [Min(1)]
    public int ImgSize { get; init; } = 224;

    /// <summary>Configured input width; null means square (<see cref="ImgSize"/>).</summary>
    [Min(1)]
    public int? ImgWidth { get; init; }

    [Min(1)]
    public int PatchSize { get; init; } = 16;

    /// <summary>Patch stride: 16, or 8 for the long-sequence "+" Vim models.</summary>
    [Min(1)]
    public int Stride { get; init; } = 16;

    /// <summary>
    /// Zero padding of the patch convolution. Null: 0 in classification mode (as the reference, so the 224
    /// stride-8 grid is 27x27) and (patch - stride)/2 in dense mode (so a side S gives S/stride tokens).
    /// </summary>
    public int? PatchPadding { get; init; }

    /// <summary>Number of blocks; null = the variant's (24 for Vim, 12 for DeiT).</summary>
    [Min(1)]
    public int? Depth { get; init; }

    /// <summary>Stochastic depth at the last block; blocks get linspace(0, rate, depth).</summary>
    [Min(0), Max(1)]
    public double DropPathRate { get; init; }

    /// <summary>Dropout after adding the position embedding.</summary>
    [Min(0), Max(1)]
    public double DropRate { get; init; }

    /// <summary>Dense mode: feature maps of <see cref="OutIndices"/>; otherwise classification (head on the class token).</summary>
    public bool Dense { get; init; } = true;

    /// <summary>Blocks whose outputs become feature maps; null = 5,11,17,23 for depth 24, 3,5,7,11 for depth 12, else four evenly spaced.</summary>
    [Min(0)]
    public int[]? OutIndices { get; init; }

    /// <summary>Classes of the classification head (0: no head). Ignored in dense mode, which has no head.</summary>
    [Min(0)]
    public int NumClasses { get; init; } = 1000;

    /// <summary>
    /// Class token placement. Null: middle for Vim classification (the released checkpoints), none for Vim dense;
    /// head for DeiT classification, none for DeiT dense.
    /// </summary>
    public ClassTokenPlacement? ClassToken { get; init; }

    /// <summary>What a dense feature map is (DeiT supports only <see cref="FeatureSource.Residual"/>, its block output).</summary>
    public FeatureSource FeatureSource { get; init; } = FeatureSource.Residual;

    /// <summary>The input height and width checked against the patch size.</summary>
    internal void CheckImageSize()
    {
        if (ImgSize < PatchSize || (ImgWidth ?? ImgSize) < PatchSize)
            throw new UserInputException($"image size {ImgSize}x{ImgWidth ?? ImgSize}: smaller than the patch {PatchSize}");
    }
}

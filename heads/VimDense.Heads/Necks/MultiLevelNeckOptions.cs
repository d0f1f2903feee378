namespace VimDense.Heads.Necks;

/// <summary>MultiLevelNeck settings (mmseg's ViT neck: 1×1 convs, resize, 3×3 convs); config type "multilevel".</summary>
public sealed record MultiLevelNeckOptions
{
    public IReadOnlyList<double> Rescales { get; init; } = [4, 2, 1, 0.5];
    public int OutChannels { get; init; } = 256;
}

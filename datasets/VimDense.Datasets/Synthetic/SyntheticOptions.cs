namespace VimDense.Datasets.Synthetic;

/// <summary>Size of a synthetic data set.</summary>
public sealed record SyntheticOptions
{
    /// <summary>Training images; validation gets a quarter of it (at least 2).</summary>
    public int Images { get; init; } = 32;

    /// <summary>Number of classes (first K ADE20K / COCO names).</summary>
    public int Classes { get; init; } = 8;

    /// <summary>Nominal image size in pixels; actual sizes vary around it.</summary>
    public int Size { get; init; } = 96;

    public int Seed { get; init; }

    public int ValidationImages => Math.Max(2, Images / 4);
}

namespace VimDense.Config;

/// <summary>Size of a generated synthetic ADE20K-format data set (see `vimdense make-synthetic`).</summary>
public sealed class SyntheticDataConfig
{
    [Min(1)]
    public int Images { get; set; } = 32;
    [Min(1)]
    public int Classes { get; set; } = 8;
    [Min(16)]
    public int Size { get; set; } = 96;
    public int Seed { get; set; }
}

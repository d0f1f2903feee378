namespace VimDense.Datasets.Masks;

/// <summary>
/// A binary mask as COCO run-length encoding: alternating run lengths of 0s and 1s (starting with 0s, the
/// first run may be empty) over the pixels in COLUMN-MAJOR order (index = x·Height + y), exactly as
/// pycocotools stores it. Use <see cref="RleCodec"/> to build, convert and compare masks.
/// </summary>
public sealed class Rle
{
    public Rle(int height, int width, uint[] counts)
    {
        if (height < 0 || width < 0) throw new ArgumentOutOfRangeException(nameof(height), $"RLE size must be non-negative, got {height}x{width}");
        Height = height;
        Width = width;
        Counts = counts ?? throw new ArgumentNullException(nameof(counts));
    }

    public int Height { get; }
    public int Width { get; }

    /// <summary>Run lengths; never mutate (instances may share the array with a cache).</summary>
    public uint[] Counts { get; }

    /// <summary>Number of foreground pixels (sum of the odd-position runs).</summary>
    public long Area => RleCodec.Area(this);

    public override string ToString() => $"Rle({Height}x{Width}, {Counts.Length} runs, area {Area})";
}

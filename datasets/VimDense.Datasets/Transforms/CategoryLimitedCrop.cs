using OpenCvSharp;

namespace VimDense.Datasets.Transforms;

/// <summary>
/// mmseg <c>RandomCrop</c> with <c>cat_max_ratio</c>: draw offsets uniformly in [0, max(size − crop, 0)]
/// (height first), and while a crop has fewer than two non-ignored classes or one class covering at least
/// <c>catMaxRatio</c> of its non-ignored pixels, draw again — at most 10 checks, the 11th draw is used as is.
/// </summary>
public static class CategoryLimitedCrop
{
    /// <summary>Number of crops checked before the next draw is accepted unchecked.</summary>
    public const int MaxChecks = 10;

    /// <summary>Chooses the crop rectangle (clipped to the image) for a label map of <paramref name="height"/>×<paramref name="width"/>.</summary>
    public static Rect Choose(ReadOnlySpan<byte> label, int height, int width, int cropHeight, int cropWidth,
        double catMaxRatio, byte ignoreIndex, Random rng)
    {
        var crop = Draw(height, width, cropHeight, cropWidth, rng);
        if (catMaxRatio >= 1.0) return crop;
        Span<int> histogram = stackalloc int[256];
        for (var attempt = 0; attempt < MaxChecks; attempt++)
        {
            if (Acceptable(label, width, crop, catMaxRatio, ignoreIndex, histogram)) break;
            crop = Draw(height, width, cropHeight, cropWidth, rng);
        }
        return crop;
    }

    /// <summary>The acceptance rule: ≥ 2 classes other than the ignore index and max/sum &lt; ratio.</summary>
    public static bool Acceptable(ReadOnlySpan<byte> label, int width, Rect crop, double catMaxRatio, byte ignoreIndex, Span<int> histogram)
    {
        histogram.Clear();
        for (var y = crop.Y; y < crop.Y + crop.Height; y++)
        {
            var row = label.Slice(y * width + crop.X, crop.Width);
            foreach (var v in row) histogram[v]++;
        }
        histogram[ignoreIndex] = 0;
        int classes = 0, max = 0;
        long sum = 0;
        foreach (var count in histogram)
        {
            if (count == 0) continue;
            classes++;
            sum += count;
            max = Math.Max(max, count);
        }
        return classes > 1 && (double)max / sum < catMaxRatio;
    }

    private static Rect Draw(int height, int width, int cropHeight, int cropWidth, Random rng)
    {
        var offsetY = rng.Next(Math.Max(height - cropHeight, 0) + 1);
        var offsetX = rng.Next(Math.Max(width - cropWidth, 0) + 1);
        return new Rect(offsetX, offsetY, Math.Min(cropWidth, width - offsetX), Math.Min(cropHeight, height - offsetY));
    }
}

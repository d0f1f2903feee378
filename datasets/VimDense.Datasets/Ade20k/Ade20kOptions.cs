namespace VimDense.Datasets.Ade20k;

/// <summary>How an <see cref="Ade20kDataset"/> reads its folder.</summary>
public sealed record Ade20kOptions
{
    /// <summary>Split folder name under images/ and annotations/: "training" or "validation".</summary>
    public string Split { get; init; } = "training";

    /// <summary>Number of classes (150 for ADE20K; synthetic sets use fewer). Values above it are errors.</summary>
    public int NumClasses { get; init; } = 150;

    /// <summary>Map 0 → ignore and k → k−1 (forced on for ADE20K in mmseg).</summary>
    public bool ReduceZeroLabel { get; init; } = true;

    /// <summary>
    /// Skip (and count) images without an annotation instead of failing at indexing; samples that fail to
    /// load raise <see cref="BadSampleException"/>, which a loader with SkipBadSamples counts and skips.
    /// </summary>
    public bool SkipBadSamples { get; init; }

    /// <summary>Images and label maps with more pixels are bad samples (checked from the file header).</summary>
    public long MaxImagePixels { get; init; } = Transforms.ImageFiles.DefaultMaxPixels;

    /// <summary>Image file extension.</summary>
    public string ImageSuffix { get; init; } = ".jpg";

    /// <summary>Annotation file extension.</summary>
    public string LabelSuffix { get; init; } = ".png";
}

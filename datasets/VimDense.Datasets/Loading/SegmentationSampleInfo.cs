namespace VimDense.Datasets.Loading;

/// <summary>What a segmentation batch keeps of each sample besides its tensors (for evaluation and logs).</summary>
public sealed record SegmentationSampleInfo(string Name, int OriginalHeight, int OriginalWidth,
    int ContentHeight, int ContentWidth, int LabelHeight, int LabelWidth, bool Flipped);

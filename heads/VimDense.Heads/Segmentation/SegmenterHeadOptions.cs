namespace VimDense.Heads.Segmentation;

/// <summary>Segmenter mask-transformer head settings (mmseg SegmenterMaskTransformerHead); config type "segmenter".</summary>
public sealed record SegmenterHeadOptions : DecodeHeadOptions
{
    /// <summary>Feature map the head reads (−1 = the last).</summary>
    public int InIndex { get; init; } = -1;
    public int NumLayers { get; init; } = 2;
    public int NumHeads { get; init; } = 3;
    public int EmbedDims { get; init; } = 192;
    public double MlpRatio { get; init; } = 4;
    public double DropPathRate { get; init; } = 0.1;
    /// <summary>
    /// Accepted for mmseg configs, which set it to 0: the mask transformer has no classifier dropout, so any
    /// other value is rejected rather than ignored.
    /// </summary>
    public double DropoutRatio { get; init; }
}

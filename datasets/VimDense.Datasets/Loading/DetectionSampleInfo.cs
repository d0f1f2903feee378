namespace VimDense.Datasets.Loading;

/// <summary>What a detection batch keeps of each sample besides tensors: ids and sizes to map predictions back.</summary>
public sealed record DetectionSampleInfo(long ImageId, string FileName, int OriginalHeight, int OriginalWidth,
    int Height, int Width, double ScaleX, double ScaleY, bool Flipped);

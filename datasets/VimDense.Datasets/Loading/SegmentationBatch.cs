using TorchSharp;
using static TorchSharp.torch;

namespace VimDense.Datasets.Loading;

/// <summary>
/// A collated segmentation batch: images (B, 3, H, W) float32 and labels (B, H_l, W_l) int64 (255 = ignore),
/// on the CPU, plus the samples' metadata. Dispose it (or move the tensors out) when done.
/// </summary>
public sealed class SegmentationBatch : IDisposable
{
    public required Tensor Images { get; init; }
    public required Tensor Labels { get; init; }

    /// <summary>Per sample: name, original size, content size and flip, in batch order.</summary>
    public required IReadOnlyList<SegmentationSampleInfo> Samples { get; init; }

    public int Count => Samples.Count;

    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}

using VimDense.Structures;
using static TorchSharp.torch;

namespace VimDense.Datasets.Loading;

/// <summary>
/// A collated detection batch: images (B, 3, P, P) float32 padded bottom/right with 0 (normalised space),
/// per-image ground truth (boxes in the padded image's pixels, classes, polygons, and masks (N, P, P) uint8 when
/// the collator rasterises them) and metadata. Dispose it when done.
/// </summary>
public sealed class DetectionBatch : IDisposable
{
    public required Tensor Images { get; init; }
    public required IReadOnlyList<Instances> Targets { get; init; }
    public required IReadOnlyList<DetectionSampleInfo> Samples { get; init; }

    public int Count => Samples.Count;

    public void Dispose()
    {
        Images.Dispose();
        foreach (var t in Targets) t.Dispose();
    }
}

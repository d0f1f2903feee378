using static TorchSharp.torch;

namespace VimDense.Datasets.Loading;

/// <summary>
/// A collated detection batch: images (B, 3, P, P) float32 padded bottom/right with 0 (normalised space),
/// per-image targets and metadata. Dispose it when done.
/// </summary>
public sealed class DetectionBatch : IDisposable
{
    public required Tensor Images { get; init; }
    public required IReadOnlyList<DetectionTarget> Targets { get; init; }
    public required IReadOnlyList<DetectionSampleInfo> Samples { get; init; }

    public int Count => Samples.Count;

    public void Dispose()
    {
        Images.Dispose();
        foreach (var t in Targets) t.Dispose();
    }
}

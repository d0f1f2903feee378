using VimDense.Datasets.Loading;
using VimDense.Engine;
using static TorchSharp.torch;

namespace VimDense.Experiments;

/// <summary>Random normalised images and labels of a fixed size, for throughput measurements.</summary>
public sealed class RandomBatches(int batch, int size, int numClasses) : IResumableBatchSource<SegmentationBatch>
{
    private SegmentationBatch? previous;

    public SegmentationBatch Next()
    {
        previous?.Dispose();
        var samples = Enumerable.Range(0, batch).Select(i => new SegmentationSampleInfo($"random_{i}", size, size, size, size, size, size, false)).ToList();
        previous = new SegmentationBatch
        {
            Images = randn(batch, 3, size, size).DetachFromDisposeScope(),
            Labels = randint(0, numClasses, [batch, size, size]).to(int64).DetachFromDisposeScope(),
            Samples = samples,
        };
        return previous;
    }

    public string SaveState() => "";

    public void RestoreState(string state) { }
}

using VimDense.Datasets.Loading;
using VimDense.Engine;
using VimDense.Structures;

namespace VimDense.Experiments;

/// <summary>
/// Random normalised square images with <paramref name="instanceCount"/> random rectangular instances (boxes, polygon masks), collated as the
/// detection loader does; for throughput measurements.
/// </summary>
public sealed class RandomDetectionBatches(int batch, int size, int numClasses, bool masks, int seed = 0, int instanceCount = 3) : IResumableBatchSource<DetectionBatch>
{
    private readonly Random rng = new(seed);
    private readonly DetectionCollator collator = new(size, size, masks);
    private DetectionBatch? previous;

    public DetectionBatch Next()
    {
        previous?.Dispose();
        previous = collator.Collate(Enumerable.Range(0, batch).Select(i => Sample(i)).ToList());
        return previous;
    }

    private DetectionSample Sample(int index)
    {
        var image = new float[3 * size * size];
        for (var i = 0; i < image.Length; i++) image[i] = (float)(rng.NextDouble() * 2 - 1);
        var instances = new List<Instance>();
        for (var k = 0; k < instanceCount; k++)
        {
            double w = size * (0.1 + 0.3 * rng.NextDouble()), h = size * (0.1 + 0.3 * rng.NextDouble());
            double x1 = rng.NextDouble() * (size - w), y1 = rng.NextDouble() * (size - h);
            instances.Add(new Instance(x1, y1, x1 + w, y1 + h, rng.Next(numClasses),
                [new[] { x1, y1, x1 + w, y1, x1 + w, y1 + h, x1, y1 + h }]));
        }
        return new DetectionSample
        {
            ImageId = index, FileName = $"random_{index}", OriginalHeight = size, OriginalWidth = size,
            Image = image, Height = size, Width = size, Instances = instances,
        };
    }

    public string SaveState() => "";

    public void RestoreState(string state) { }
}

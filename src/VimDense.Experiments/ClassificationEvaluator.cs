using VimDense.Datasets;
using VimDense.Datasets.Classification;
using VimDense.Datasets.Evaluation;
using VimDense.Engine.Logging;
using static TorchSharp.torch;

namespace VimDense.Experiments;

/// <summary>
/// Evaluates a classifier (logits = model.forward(images)) on labelled images as hustvl/Vim's evaluate
/// (vim/engine.py): the reference's evaluation transform, top-1 / top-5 (timm accuracy: the label among the
/// min(5, classes) highest logits) and cross-entropy, in batches. Images are decoded and transformed by
/// <see cref="ClassificationEvalOptions.Workers"/> threads, the next batch while the model runs the current one.
/// </summary>
public static class ClassificationEvaluator
{
    public static ClassificationEvaluation Evaluate(nn.Module<Tensor, Tensor> model, IReadOnlyList<ClassificationSample> samples,
        ClassificationEvalOptions options, ProgressBar? progress = null)
    {
        if (options.BatchSize <= 0 || options.Workers <= 0)
            throw new UserInputException($"batch size {options.BatchSize}, workers {options.Workers}: both must be positive");
        var count = options.MaxImages > 0 ? Math.Min(options.MaxImages, samples.Count) : samples.Count;
        if (count == 0) throw new UserInputException("no images to evaluate");
        var device = new Device(options.Device);
        var size = options.Transform.InputSize;
        var imageValues = 3 * size * size;
        var batches = (count + options.BatchSize - 1) / options.BatchSize;

        float[] Load(int batch)
        {
            var first = batch * options.BatchSize;
            var n = Math.Min(options.BatchSize, count - first);
            var values = new float[n * imageValues];
            ParallelRunner.For(n, i => options.Transform.Apply(samples[first + i].Path, values.AsSpan(i * imageValues, imageValues)), options.Workers);
            return values;
        }

        model.eval();
        using var noGrad = no_grad();
        long top1 = 0, top5 = 0;
        double lossSum = 0;
        var classes = 0;
        List<float>? logitsKept = options.KeepLogits ? new List<float>() : null;
        var next = Task.Run(() => Load(0));
        for (var batch = 0; batch < batches; batch++)
        {
            var values = next.GetAwaiter().GetResult();
            if (batch + 1 < batches)
            {
                var following = batch + 1;
                next = Task.Run(() => Load(following));
            }
            var first = batch * options.BatchSize;
            var n = values.Length / imageValues;
            using var scope = NewDisposeScope();
            var images = tensor(values, [n, 3, size, size]).to(device);
            var logits = model.forward(images).to(ScalarType.Float32);
            classes = (int)logits.shape[1];
            var labelValues = Enumerable.Range(first, n).Select(i => (long)samples[i].Label).ToArray();
            var bad = Array.FindIndex(labelValues, l => l >= classes);
            if (bad >= 0) throw new BadSampleException($"{samples[first + bad].Path}: label {labelValues[bad]}, but the model has {classes} classes");
            var labels = tensor(labelValues).to(device);
            var k = Math.Min(5, classes);
            var (_, top) = logits.topk(k, dim: 1);
            var hits = top.eq(labels.unsqueeze(1));
            top1 += hits.select(1, 0).sum().item<long>();
            top5 += hits.any(1).sum().item<long>();
            lossSum += nn.functional.cross_entropy(logits, labels, reduction: nn.Reduction.Sum).item<float>();
            logitsKept?.AddRange(logits.cpu().data<float>().ToArray());
            progress?.Report(batch + 1, $"top1 {100.0 * top1 / (first + n):F2} top5 {100.0 * top5 / (first + n):F2}");
        }
        progress?.Finish();
        return new ClassificationEvaluation(count, classes, top1, top5, lossSum / count, logitsKept?.ToArray());
    }
}

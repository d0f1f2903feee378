using TorchSharp;
using Newtonsoft.Json;
using VimDense.Experiments;
using static TorchSharp.torch;

namespace VimDense.Cli.Bench;

/// <summary>
/// Measures one (config, size) point of `bench model` in its own process: the config's whole segmentor or detector
/// (random weights, or a training checkpoint's), inference at test.precision on a batch of random square images (see
/// <see cref="InferenceModel"/>), timed and its memory measured as <see cref="BenchTiming"/> does.
/// </summary>
internal static class ModelBenchPoint
{
    public static BenchResult Measure(string config, IReadOnlyList<string> overrides, string? checkpoint, int size, int batch, string device,
        int minIterations, double minSeconds)
    {
        var experiment = Experiment.FromConfig(config, overrides);
        var target = new Device(device);
        using var model = InferenceModel.Of(experiment, checkpoint, target);
        using var images = model.RandomImages(size, size, batch, target);
        var isCuda = target.type == DeviceType.CUDA;
        var (seconds, iterations, peakMiB, baselineMiB) = BenchTiming.Measure(() => model.Run(images), isCuda, minIterations, minSeconds);
        var tokens = size / model.BackboneStride;
        return new BenchResult(Name(config), size, tokens * tokens, batch, model.Task, device, "-", iterations, seconds,
            batch / seconds, peakMiB, baselineMiB, Engine.Precisions.Name(experiment.TestRun.Precision));
    }

    /// <summary>A config's name in tables and plots: its file name without .json.</summary>
    public static string Name(string config) => Path.GetFileNameWithoutExtension(config);

    public static string ToJson(BenchResult result) => JsonConvert.SerializeObject(result);
}

using System.Diagnostics;
using Newtonsoft.Json;
using TorchSharp;
using VimDense.Backbones;
using VimDense.Engine;
using static TorchSharp.torch;

namespace VimDense.Cli.Bench;

/// <summary>One measured point of `bench backbone`: a model at one image size.</summary>
internal sealed record BenchResult(
    string Model, int Size, int Tokens, int Batch, string Neck, string Device, string Attention,
    int Iterations, double SecondsPerIteration, double ImagesPerSecond, double PeakMiB, double BaselineMiB, string Precision = "fp32")
{
    /// <summary>The model's name in tables and plots, with its precision when that is not fp32 ("vim_tiny bf16").</summary>
    [JsonIgnore] // derived: not part of the child process's JSON line
    public string Label => Precision == "fp32" ? Model : $"{Model} {Precision}";
}

/// <summary>
/// Measures one (model, size) point in its own process: builds the dense backbone (and bench neck), resets the
/// peak-memory counter, then runs a warm-up and timed inference passes under no_grad and the precision's autocast
/// (the median pass time is reported). Memory is the growth of
/// the peak resident set over the resident set right after construction (CPU), or of the GPU memory the
/// process holds (caching allocator, read with nvidia-smi) over the same baseline (CUDA).
/// </summary>
internal static class BackboneBenchPoint
{
    public static BenchResult Measure(string model, int size, int batch, string neck, string device, string attention,
        Precision precision, int minIterations, double minSeconds, int? depth = null)
    {
        var backbone = BackboneFactory.IsVim(model)
            ? BackboneFactory.Create(model, new VimOptions { Dense = true, ImgSize = size, Depth = depth })
            : BackboneFactory.Create(model, new VitOptions { Dense = true, ImgSize = size, Depth = depth, Attention = Enum.TryParse<AttentionKind>(attention, ignoreCase: true, out var kind) ? kind
                : throw new UserInputException($"attention '{attention}': expected sdpa or math") });
        var module = backbone.Module;
        module.eval();
        BenchFpnNeck? fpn = neck == "fpn" ? new BenchFpnNeck(backbone.Channels[0]) : null;
        fpn?.eval();
        var target = new Device(device);
        module.to(target);
        fpn?.to(target);
        using var images = randn(batch, 3, size, size, device: target);
        var isCuda = target.type == DeviceType.CUDA;

        var lowType = Precisions.LowType(precision);
        var (seconds, iterations, peakMiB, baselineMiB) = BenchTiming.Measure(() => RunOnce(backbone, fpn, images, lowType), isCuda, minIterations, minSeconds);
        var tokens = size / backbone.Strides[0];
        return new BenchResult(model, size, tokens * tokens, batch, neck, device, attention, iterations, seconds,
            batch / seconds, peakMiB, baselineMiB, Precisions.Name(precision));
    }

    private static void RunOnce(IBackbone backbone, BenchFpnNeck? neck, Tensor images, ScalarType? lowType)
    {
        using var autocast = Layers.Autocast.Enter(lowType);
        using var scope = NewDisposeScope();
        var maps = backbone.ForwardIntermediates(images);
        if (neck is not null) neck.forward(maps.ToArray());
    }

    public static string ToJson(BenchResult result) => JsonConvert.SerializeObject(result);

    public static BenchResult FromJson(string json) =>
        JsonConvert.DeserializeObject<BenchResult>(json) ?? throw new InvalidDataException("empty bench result");
}

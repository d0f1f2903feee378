using System.Diagnostics;
using Newtonsoft.Json;
using TorchSharp;
using VimDense.Backbones;
using static TorchSharp.torch;

namespace VimDense.Cli.Bench;

/// <summary>One measured point of `bench backbone`: a model at one image size.</summary>
internal sealed record BenchResult(
    string Model, int Size, int Tokens, int Batch, string Neck, string Device, string Attention,
    int Iterations, double SecondsPerIteration, double ImagesPerSecond, double PeakMiB, double BaselineMiB);

/// <summary>
/// Measures one (model, size) point in its own process: builds the dense backbone (and bench neck), resets the
/// peak-memory counter, then runs a warm-up and timed inference passes under no_grad (the median pass time is reported). Memory is the growth of
/// the peak resident set over the resident set right after construction (CPU), or of the GPU memory the
/// process holds (caching allocator, read with nvidia-smi) over the same baseline (CUDA).
/// </summary>
internal static class BackboneBenchPoint
{
    public static BenchResult Measure(string model, int size, int batch, string neck, string device, string attention,
        int minIterations, double minSeconds, int? depth = null)
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

        if (!isCuda) VimDense.Engine.Logging.ProcessMemory.ResetPeak();
        var baseline = isCuda ? GpuProcessMemoryBytes() : VimDense.Engine.Logging.ProcessMemory.ResidentBytes();
        using var noGrad = no_grad();
        RunOnce(backbone, fpn, images, isCuda);                          // warm-up: thread pools, allocator, kernels
        // Median of per-pass times: robust to bursts of load from other processes on a shared machine.
        var times = new List<double>();
        var clock = Stopwatch.StartNew();
        while (times.Count < minIterations || clock.Elapsed.TotalSeconds < minSeconds)
        {
            var pass = Stopwatch.StartNew();
            RunOnce(backbone, fpn, images, isCuda);
            times.Add(pass.Elapsed.TotalSeconds);
        }
        times.Sort();
        var seconds = times.Count % 2 == 1 ? times[times.Count / 2] : (times[times.Count / 2 - 1] + times[times.Count / 2]) / 2;
        var iterations = times.Count;
        var peak = isCuda ? GpuProcessMemoryBytes() : VimDense.Engine.Logging.ProcessMemory.PeakResidentBytes();
        var tokens = size / backbone.Strides[0];
        return new BenchResult(model, size, tokens * tokens, batch, neck, device, attention, iterations, seconds,
            batch / seconds, (peak - baseline) / 1048576.0, baseline / 1048576.0);
    }

    private static void RunOnce(IBackbone backbone, BenchFpnNeck? neck, Tensor images, bool isCuda)
    {
        using var scope = NewDisposeScope();
        var maps = backbone.ForwardIntermediates(images);
        if (neck is not null) neck.forward(maps.ToArray());
        if (isCuda) cuda.synchronize();
    }

    /// <summary>GPU memory held by this process according to nvidia-smi (the caching allocator keeps its peak reserved).</summary>
    private static long GpuProcessMemoryBytes()
    {
        try
        {
            var info = new ProcessStartInfo("nvidia-smi", "--query-compute-apps=pid,used_memory --format=csv,noheader,nounits")
            { RedirectStandardOutput = true, UseShellExecute = false };
            using var process = Process.Start(info)!;
            var text = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            var pid = Environment.ProcessId.ToString();
            var line = text.Split('\n').FirstOrDefault(l => l.Split(',')[0].Trim() == pid);
            return line is null ? 0 : long.Parse(line.Split(',')[1].Trim()) * 1048576;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return 0;
        }
    }

    public static string ToJson(BenchResult result) => JsonConvert.SerializeObject(result);

    public static BenchResult FromJson(string json) =>
        JsonConvert.DeserializeObject<BenchResult>(json) ?? throw new InvalidDataException("empty bench result");
}

using System.CommandLine;
using System.Diagnostics;
using TorchSharp;
using VimDense.Backbones;
using VimDense.Config;
using VimDense.Experiments;
using static TorchSharp.torch;

namespace VimDense.Cli.Commands;

/// <summary>
/// `vimdense bench train [--config C ...] [--iters N] [--precision fp32,bf16] [--json]`: training-step throughput (forward, backward, AdamW) and
/// peak resident memory of segmentors on random 512×512 batches (batch 2), or of detectors (configs with task
/// "detection") on random batches at the config's image size (batch 1) with --instances random boxes and masks. Without
/// --config it measures the UperNet baselines Vim-Ti and DeiT-Ti (configs/ade20k), each in the same run. With
/// --precision each config is measured at each precision (train.precision) and the rows say the speed-up over fp32.
/// </summary>
public sealed class BenchTrainCommand : ICliCommand
{
    public string? Group => "bench";

    public Command Build()
    {
        var configs = new Option<string[]>("--config") { Description = "Configs to measure (default: the Vim-Ti and DeiT-Ti UperNet ADE20K configs)", AllowMultipleArgumentsPerToken = true };
        var iterations = new Option<int>("--iters") { Description = "Timed iterations", DefaultValueFactory = _ => 5 };
        var warmup = new Option<int>("--warmup") { Description = "Untimed iterations first", DefaultValueFactory = _ => 1 };
        var batch = new Option<int?>("--batch") { Description = "Images per iteration (default: 2 for segmentation, 1 for detection)" };
        var size = new Option<int?>("--size") { Description = "Square image size (default: 512 for segmentation, data.image_size for detection)" };
        var recompute = new Option<string?>("--checkpoint-layers")
        {
            Description = "Comma-separated model.backbone.checkpoint_layers settings (false, true, N), one row each per config; for detection " +
                "configs any setting but false also recomputes the neck, RPN head and ROI heads (model.neck/rpn/roi_heads.checkpoint)",
        };
        var instances = new Option<int>("--instances") { Description = "Random ground-truth instances per detection image (mask-target memory grows with it)", DefaultValueFactory = _ => 3 };
        var precisions = new Option<string?>("--precision") { Description = "Comma-separated precisions to measure each config at (fp32, bf16, fp16; default: the config's train.precision)" };
        var json = new Option<bool>("--json") { Description = "Print the rows as JSON instead of a table" };
        var set = new ConfigOverrides("Override a config value in every config: a.b=c");
        var device = new DeviceOption(defaultsToConfig: true);
        var command = new Command("train", "Training iterations/s and peak memory of segmentors or detectors (random data; --device picks the device)");
        foreach (var option in new Option[] { configs, iterations, warmup, batch, size, instances, recompute, precisions, json }) command.Options.Add(option);
        device.AddTo(command);
        set.AddTo(command);
        command.SetAction(parse =>
        {
            var paths = parse.GetValue(configs) is { Length: > 0 } given ? given : DefaultConfigs();
            var (iters, warm, b, s) = (parse.GetValue(iterations), parse.GetValue(warmup), parse.GetValue(batch), parse.GetValue(size));
            var count = parse.GetValue(instances);
            if (iters < 1 || b < 1 || s < 32 || count < 0) throw new UserInputException("--iters and --batch must be >= 1, --size >= 32, --instances >= 0");
            var settings = RecomputeSettings(parse.GetValue(recompute));
            var asJson = parse.GetValue(json);
            IReadOnlyList<Engine.Precision?> points = parse.GetValue(precisions) is { } list
                ? Engine.Precisions.ParseList(list, "--precision").Select(p => (Engine.Precision?)p).ToList() : [null];
            if (!asJson) Console.WriteLine($"{"config",-40} {"params",12} {"batch",6} {"size",6} {"s/iter",8} {"iter/s",8} {"peak RSS MiB",13} {"peak heap MiB",14} {"precision",9} {"recompute",10}");
            var peakIsPerModel = true;
            var rows = new List<Bench.BenchTrainRow>();
            foreach (var path in paths)
            foreach (var precision in points)
            foreach (var setting in settings)
            {
                long parameters; double seconds, peak;
                double? peakHeap;
                var overrides = set.Values(parse).Concat(RecomputeOverrides(path, setting));
                if (precision is { } p) overrides = overrides.Append($"train.precision={Engine.Precisions.Name(p)}");
                var onDevice = device.AppendTo(parse, overrides.ToArray());
                GC.Collect();
                GC.WaitForPendingFinalizers();
                // What an earlier row left in the heap (train.retain_freed_memory keeps it) goes back before the peak is reset.
                Engine.GlibcMalloc.ReleaseFreePages();
                peakIsPerModel &= VimDense.Engine.Logging.ProcessMemory.ResetPeak();
                using var heap = VimDense.Engine.Logging.HeapInUse.SamplePeak();
                var experiment = Experiment.FromConfig(path, BenchOverrides(onDevice), BenchWorkDir);
                var detection = experiment as DetectionExperiment;
                var (pointBatch, pointSize) = (b ?? (detection is null ? 2 : 1), s ?? detection?.PipelineOptions().SquareSize ?? 512);
                try
                {
                    (parameters, seconds) = detection is null
                        ? Measure((SegmentationExperiment)experiment, iters, warm, pointBatch, pointSize)
                        : Measure(detection, iters, warm, pointBatch, pointSize, count);
                    peak = VimDense.Engine.Logging.ProcessMemory.PeakResidentMegabytes() ?? double.NaN;
                    peakHeap = heap.PeakBytes / (1024.0 * 1024.0);
                }
                catch (System.Runtime.InteropServices.ExternalException e)
                {
                    // A libtorch error in one model (e.g. an autograd failure) should not hide the others' numbers.
                    (asJson ? Console.Error : Console.Out).WriteLine($"{Path.GetFileNameWithoutExtension(path),-40} failed: {e.Message.Split('\n')[0]}");
                    continue;
                }
                var row = new Bench.BenchTrainRow(Path.GetFileNameWithoutExtension(path), Engine.Precisions.Name(experiment.Config.Train.Precision),
                    parameters, pointBatch, pointSize, seconds, peak) { PeakHeapMib = peakHeap, CheckpointLayers = setting?.ToString() ?? "config" };
                rows.Add(row);
                if (!asJson) Console.WriteLine($"{row.Config,-40} {parameters,12:N0} {pointBatch,6} {pointSize,6} {seconds,8:F2} {1 / seconds,8:F3} {peak,13:F0} {peakHeap,14:F0} {row.Precision,9} {row.CheckpointLayers,10}");
            }
            rows = Bench.BenchTrainRow.WithRelatives(rows);
            // What this CPU's GEMM gives in the low types, measured in the same run (the ceiling of any mixed-precision speed-up).
            var matmul = rows.Select(r => r.Precision).Distinct().Where(p => p != "fp32").Prepend("fp32")
                .ToDictionary(p => p, p => Bench.MatmulProbe.Gflops(Engine.Precisions.LowType(Engine.Precisions.Parse(p, "--precision")) ?? ScalarType.Float32));
            if (asJson)
            {
                Console.WriteLine(Newtonsoft.Json.JsonConvert.SerializeObject(new
                {
                    threads = torch.get_num_threads(), iterations = iters, warmup = warm,
                    peak_rss = peakIsPerModel ? "per model (reset before each)" : "process high-water mark so far",
                    matmul_1024_gflops = matmul, rows,
                }, Newtonsoft.Json.Formatting.Indented));
                return 0;
            }
            Console.WriteLine("1024² matmul GFLOP/s: " + string.Join(", ", matmul.Select(kv => $"{kv.Key} {kv.Value:F0}")));
            foreach (var r in rows.Where(r => r.Precision != "fp32" && r.SpeedupVsFp32 is not null))
                Console.WriteLine($"{r.Config} {r.Precision} (recompute {r.CheckpointLayers}): {r.SpeedupVsFp32:F2}x the fp32 speed");
            foreach (var r in rows.Where(r => r.CheckpointLayers != settings[0]?.ToString() && settings.Length > 1))
                Console.WriteLine($"{r.Config} {r.Precision} checkpoint_layers={r.CheckpointLayers}: peak memory {r.MemoryPercent:F0}% (RSS)" +
                    (r.HeapMemoryPercent is { } heapPercent ? $", {heapPercent:F0}% (heap in use)" : "") + $" of checkpoint_layers={settings[0]}");
            Console.WriteLine($"({torch.get_num_threads()} torch threads, {iters} timed iterations after {warm} warm-up; peak RSS: {(peakIsPerModel ? "per model (reset before each)" : "process high-water mark so far")}; " +
                "peak heap: the most bytes malloc had handed out, sampled every 5 ms, without the freed memory the allocator keeps)");
            // Measured: after a 4 GB row, glibc kept ~3.6 GB resident, so a later row's peak starts from there.
            if (settings.Length > 1)
                Console.WriteLine("(rows after a config's first start from the memory the allocator kept: for peak memory % run each --checkpoint-layers value in its own process)");
            return 0;
        });
        return command;
    }

    /// <summary>The --checkpoint-layers list; without it one row per config, as the config sets it (null).</summary>
    private static RecomputedBlocks?[] RecomputeSettings(string? list) => list is null ? [null]
        : [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(item =>
            RecomputedBlocks.TryParse(item) ?? throw new UserInputException($"--checkpoint-layers: '{item}' is not false, true or a block count >= 0"))];

    /// <summary>--set values of one setting: the backbone's blocks and, for a detector, its neck, RPN head and ROI heads as well.</summary>
    private static IEnumerable<string> RecomputeOverrides(string path, RecomputedBlocks? setting)
    {
        if (setting is not { } blocks) return [];
        var backbone = $"model.backbone.checkpoint_layers={blocks}";
        if (ConfigLoader.Load(path).Task != "detection") return [backbone];
        var heads = blocks.Any ? "true" : "false";
        return [backbone, $"model.neck.checkpoint={heads}", $"model.rpn.checkpoint={heads}", $"model.roi_heads.checkpoint={heads}"];
    }

    private static string[] DefaultConfigs()
    {
        var root = AppContext.BaseDirectory;
        for (var dir = new DirectoryInfo(root); dir is not null; dir = dir.Parent)
        {
            var configs = Path.Combine(dir.FullName, "configs", "ade20k");
            if (Directory.Exists(configs))
                return [Path.Combine(configs, "upernet_vim_tiny_512_60k.json"), Path.Combine(configs, "upernet_deit_tiny_512_60k.json")];
        }
        throw new UserInputException("configs/ade20k not found above the program folder: pass --config");
    }

    private static (long Parameters, double SecondsPerIteration) Measure(SegmentationExperiment experiment, int iterations, int warmup, int batch, int size)
    {
        var model = experiment.BuildModel(loadPretrained: false);
        var trainer = experiment.CreateTrainer(model, new RandomBatches(batch, size, experiment.Classes.Count), null);
        return (model.parameters().Sum(p => p.numel()), Time(model, i => trainer.StepOnce(i), iterations, warmup));
    }

    private static (long Parameters, double SecondsPerIteration) Measure(DetectionExperiment experiment, int iterations, int warmup, int batch, int size, int instances)
    {
        var model = experiment.BuildModel(loadPretrained: false);
        var source = new RandomDetectionBatches(batch, size, experiment.Classes.Count, experiment.Masks, instanceCount: instances);
        var trainer = experiment.CreateTrainer(model, source, null);
        return (model.parameters().Sum(p => p.numel()), Time(model, i => trainer.StepOnce(i), iterations, warmup));
    }

    private static string BenchWorkDir => Path.Combine(Path.GetTempPath(), "vimdense-bench-train");

    private static IEnumerable<string> BenchOverrides(string[] overrides) => overrides.Append("model.backbone.pretrained=null").Append("train.tensor_board=false");

    /// <summary>Mean seconds of the timed training steps after the untimed warm-up steps.</summary>
    private static double Time(nn.Module model, Action<long> step, int iterations, int warmup)
    {
        model.train();
        var watch = new Stopwatch();
        for (var i = 0; i < warmup + iterations; i++)
        {
            if (i == warmup) watch.Start();
            step(i);
        }
        // CUDA kernels run asynchronously: the last step is done only once the device has finished it.
        if (VimDense.Engine.DevicePlacement.DeviceOf(model).type == DeviceType.CUDA) torch.cuda.synchronize();
        watch.Stop();
        return watch.Elapsed.TotalSeconds / iterations;
    }
}

using System.CommandLine;
using System.Diagnostics;
using Newtonsoft.Json.Linq;
using VimDense.Datasets.Evaluation;

namespace VimDense.Cli.Commands;

/// <summary>
/// `vimdense bench cocoeval`: times COCO evaluation phase by phase and reports the peak resident memory;
/// `--generate DIR` writes a synthetic val2017-sized problem to run it on.
/// </summary>
public sealed class BenchCocoEvalCommand : ICliCommand
{
    public string? Group => "bench";

    public Command Build()
    {
        var gt = new Option<string?>("--gt") { Description = "COCO instances JSON" };
        var dt = new Option<string?>("--dt") { Description = "COCO results JSON" };
        var iouType = CocoEvalCommand.IouTypeOption();
        var generate = new Option<string?>("--generate") { Description = "Write a synthetic benchmark (gt + bbox results) into this folder and exit" };
        var images = new Option<int>("--images") { Description = "Synthetic: number of images", DefaultValueFactory = _ => 5000 };
        var dets = new Option<int>("--dets-per-image") { Description = "Synthetic: detections per image", DefaultValueFactory = _ => 100 };
        var categories = new Option<int>("--categories") { Description = "Synthetic: number of categories", DefaultValueFactory = _ => 80 };
        var seed = new Option<int>("--seed") { Description = "Synthetic: random seed", DefaultValueFactory = _ => 0 };
        var json = new Option<bool>("--json") { Description = "Print the timings as JSON" };
        var command = new Command("cocoeval", "Time COCO evaluation (load, evaluate, accumulate, summarize) and report peak memory");
        foreach (var o in new Option[] { gt, dt, iouType, generate, images, dets, categories, seed, json }) command.Options.Add(o);
        command.SetAction(parse =>
        {
            if (parse.GetValue(generate) is { } folder)
            {
                var watch = Stopwatch.StartNew();
                var (gtPath, dtPath) = SyntheticCocoBenchmark.Write(folder, parse.GetValue(images), parse.GetValue(dets), parse.GetValue(categories), parse.GetValue(seed));
                Console.Error.WriteLine($"bench cocoeval: generated in {watch.Elapsed.TotalSeconds:F1} s");
                Console.Out.WriteLine($"gt: {gtPath}");
                Console.Out.WriteLine($"dt: {dtPath}");
                return 0;
            }
            var gtFile = parse.GetValue(gt) ?? throw new UserInputException("--gt is required (or --generate DIR)");
            var dtFile = parse.GetValue(dt) ?? throw new UserInputException("--dt is required (or --generate DIR)");
            var report = Run(gtFile, dtFile, CocoEvalCommand.ParseIouType(parse.GetValue(iouType)!));
            if (parse.GetValue(json)) Console.Out.WriteLine(report.ToString());
            else
            {
                foreach (var line in (JArray)report["summary"]!) Console.Out.WriteLine((string)line!);
                Console.Out.WriteLine($"{"phase",-14} {"wall_s",8} {"cpu_s",8}");
                foreach (var phase in new[] { "load_gt", "load_dt", "evaluate", "accumulate", "summarize" })
                    Console.Out.WriteLine($"{phase,-14} {(double)report[phase + "_s"]!,8:F3} {(double)report["cpu_s"]![phase]!,8:F3}");
                Console.Out.WriteLine($"{"total",-14} {(double)report["total_s"]!,8:F3}");
                Console.Out.WriteLine($"{"peak_rss_mb",-14} {(double)report["peak_rss_mb"]!,8:F1}");
                Console.Out.WriteLine($"{"threads",-14} {(int)report["threads"]!,8}");
            }
            return 0;
        });
        return command;
    }

    private static JObject Run(string gtFile, string dtFile, CocoIouType iouType)
    {
        var total = Stopwatch.StartNew();
        var watch = new PhaseTimer();
        var groundTruth = CocoGroundTruth.Load(gtFile, includeSegmentation: iouType == CocoIouType.Segm);
        var loadGt = watch.Lap();
        var results = CocoResults.Load(dtFile, groundTruth);
        var loadDt = watch.Lap();
        Console.Error.WriteLine($"bench cocoeval: {groundTruth.Images.Count} images, {groundTruth.Annotations.Count} gt, {results.Count} detections");
        var evaluator = new CocoEvaluator(groundTruth, results, new CocoEvalParams(iouType));
        evaluator.Evaluate();
        var evaluate = watch.Lap();
        evaluator.Accumulate();
        var accumulate = watch.Lap();
        var result = evaluator.Summarize();
        var summarize = watch.Lap();
        return new JObject
        {
            ["iou_type"] = iouType == CocoIouType.Bbox ? "bbox" : "segm",
            ["images"] = groundTruth.Images.Count,
            ["gt_annotations"] = groundTruth.Annotations.Count,
            ["detections"] = results.Count,
            ["load_gt_s"] = loadGt,
            ["load_dt_s"] = loadDt,
            ["evaluate_s"] = evaluate,
            ["accumulate_s"] = accumulate,
            ["summarize_s"] = summarize,
            ["total_s"] = total.Elapsed.TotalSeconds,
            ["cpu_s"] = new JObject
            {
                ["load_gt"] = watch.Cpu[0], ["load_dt"] = watch.Cpu[1], ["evaluate"] = watch.Cpu[2],
                ["accumulate"] = watch.Cpu[3], ["summarize"] = watch.Cpu[4],
            },
            ["peak_rss_mb"] = VimDense.Engine.Logging.ProcessMemory.PeakResidentMegabytes() ?? double.NaN,
            ["threads"] = Environment.ProcessorCount,
            ["stats"] = new JArray(result.Stats),
            ["summary"] = new JArray(result.SummaryLines),
        };
    }

    /// <summary>Wall and process-CPU seconds (all threads) per phase: CPU time shows the work even on a busy machine.</summary>
    private sealed class PhaseTimer
    {
        private readonly Stopwatch _wall = Stopwatch.StartNew();
        private TimeSpan _cpuMark = Process.GetCurrentProcess().TotalProcessorTime;
        public List<double> Cpu { get; } = [];

        public double Lap()
        {
            var seconds = _wall.Elapsed.TotalSeconds;
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            Cpu.Add((cpu - _cpuMark).TotalSeconds);
            _cpuMark = cpu;
            _wall.Restart();
            return seconds;
        }
    }
}

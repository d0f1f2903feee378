using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Newtonsoft.Json;
using VimDense.Cli.Bench;

namespace VimDense.Cli.Commands;

/// <summary>
/// `vimdense bench model [CONFIG ...] [--checkpoint C ...] [--sizes 512,1024] [--json] [--set a.b=c ...] [a.b=c ...]`:
/// inference images/s and peak memory of whole segmentors or detectors against resolution (the paper's Fig. 3/4:
/// Vim against DeiT), each point in a fresh child process; ratios against the first config; a CSV and a PNG as
/// `bench backbone` writes them. Default configs: the Vim-Ti and DeiT-Ti UperNet ADE20K configs.
/// </summary>
public sealed class BenchModelCommand : ICliCommand
{
    public static readonly string[] DefaultConfigs =
        ["configs/ade20k/upernet_vim_tiny_512_60k.json", "configs/ade20k/upernet_deit_tiny_512_60k.json"];

    public string? Group => "bench";

    public Command Build()
    {
        var configs = new Argument<string[]>("configs")
        {
            Description = $"Segmentation or detection configs (default: {string.Join(" ", DefaultConfigs)})",
            Arity = ArgumentArity.ZeroOrMore,
            CustomParser = LeadingConfigs,
        };
        var checkpoints = new Option<string[]>("--checkpoint") { Description = "Training checkpoint per config, in the configs' order (default: random weights)" };
        var sizes = new Option<string>("--sizes") { Description = "Comma-separated square image sizes", DefaultValueFactory = _ => "512,1024" };
        var batch = new Option<int>("--batch") { Description = "Images per inference pass", DefaultValueFactory = _ => 1 };
        var device = new Option<string>("--device") { Description = "cpu or cuda", DefaultValueFactory = _ => "cpu" };
        var iterations = new Option<int>("--iters") { Description = "Minimum timed passes per point (after one warm-up)", DefaultValueFactory = _ => 3 };
        var minSeconds = new Option<double>("--min-seconds") { Description = "Minimum timed seconds per point", DefaultValueFactory = _ => 2.0 };
        var output = new Option<string>("--output") { Description = "Path prefix of the CSV and PNG", DefaultValueFactory = _ => "artifacts/bench/model" };
        var json = new Option<bool>("--json") { Description = "Print the results as JSON instead of the tables" };
        var singlePoint = new Option<bool>("--single-point") { Hidden = true, Description = "Internal: measure the first config and size in this process and print JSON" };
        var set = new ConfigOverrides("Override a config value in every config: a.b=c (repeatable)");
        var command = new Command("model", "Images/s and peak memory of whole segmentors/detectors from configs vs resolution (paper Fig. 3/4)");
        command.Arguments.Add(configs);
        foreach (var option in new Option[] { checkpoints, sizes, batch, device, iterations, minSeconds, output, json, singlePoint }) command.Options.Add(option);
        set.AddTo(command);
        command.SetAction(parse =>
        {
            var configList = parse.GetValue(configs) is { Length: > 0 } given ? given : DefaultConfigs;
            var checkpointList = parse.GetValue(checkpoints) ?? [];
            if (checkpointList.Length > 0 && checkpointList.Length != configList.Length)
                throw new UserInputException($"--checkpoint: {checkpointList.Length} checkpoint(s) for {configList.Length} config(s); give one per config");
            var sizeList = parse.GetValue(sizes)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(s => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v >= 16 ? v
                    : throw new UserInputException($"--sizes: '{s}' is not an image size (integer >= 16)")).ToList();
            if (sizeList.Count == 0) throw new UserInputException("--sizes: empty list");
            var deviceName = parse.GetValue(device)!.ToLowerInvariant() is "cpu" or "cuda" ? parse.GetValue(device)!.ToLowerInvariant()
                : throw new UserInputException($"--device '{parse.GetValue(device)}': expected cpu or cuda");
            if (deviceName == "cuda" && !TorchSharp.torch.cuda.is_available())
                throw new UserInputException("--device cuda: no CUDA device visible to libtorch (build with -p:TorchBackend=cuda)");
            if (parse.GetValue(batch) < 1) throw new UserInputException("--batch must be at least 1");
            foreach (var config in configList)
                if (!File.Exists(config)) throw new FileNotFoundException($"{config}: config not found");
            var overrides = set.Values(parse);

            if (parse.GetValue(singlePoint))
            {
                var point = ModelBenchPoint.Measure(configList[0], overrides, checkpointList.FirstOrDefault(), sizeList[0], parse.GetValue(batch),
                    deviceName, parse.GetValue(iterations), parse.GetValue(minSeconds));
                Console.WriteLine(ModelBenchPoint.ToJson(point));
                return 0;
            }

            var results = new List<BenchResult>();
            foreach (var size in sizeList)
                for (var i = 0; i < configList.Length; i++)
                {
                    var name = ModelBenchPoint.Name(configList[i]);
                    Console.Error.WriteLine($"bench: {name} at {size}x{size} ...");
                    var c = CultureInfo.InvariantCulture;
                    List<string> Args(int iters, double seconds)
                    {
                        var args = new List<string> { "bench", "model", "--single-point", configList[i], "--sizes", size.ToString(c),
                            "--batch", parse.GetValue(batch).ToString(c), "--device", deviceName, "--iters", iters.ToString(c), "--min-seconds", seconds.ToString(c) };
                        if (checkpointList.Length > 0) args.AddRange(["--checkpoint", checkpointList[i]]);
                        foreach (var o in overrides) args.AddRange(["--set", o]);
                        return args;
                    }
                    var timed = FromJson(BenchChild.Run(Args(parse.GetValue(iterations), parse.GetValue(minSeconds)), memoryRun: false, $"{name} at {size}"));
                    var memory = FromJson(BenchChild.Run(Args(1, 0), memoryRun: true, $"{name} at {size} (memory)"));
                    results.Add(timed with { PeakMiB = memory.PeakMiB, BaselineMiB = memory.BaselineMiB });
                    Console.Error.WriteLine(string.Create(c, $"bench: {name} at {size}: {timed.ImagesPerSecond:0.000} images/s, peak +{memory.PeakMiB:0.0} MiB"));
                }
            var prefix = parse.GetValue(output)!;
            BenchReport.WriteCsv(prefix + ".csv", results);
            BenchPlot.Save(prefix + ".png", results);
            if (parse.GetValue(json)) Console.WriteLine(JsonConvert.SerializeObject(results, Formatting.Indented));
            else
            {
                BenchReport.Print(results, Console.Out, ratios: false);
                var first = ModelBenchPoint.Name(configList[0]);
                foreach (var other in configList.Skip(1).Select(ModelBenchPoint.Name)) BenchReport.PrintRatios(results, first, other, Console.Out);
                Console.WriteLine($"wrote {prefix}.csv and {prefix}.png");
            }
            return 0;
        });
        return command;
    }

    private static BenchResult FromJson(string json) =>
        JsonConvert.DeserializeObject<BenchResult>(json) ?? throw new InvalidDataException("empty bench result");

    /// <summary>The configs are the leading tokens up to the first KEY=VALUE; the rest go to the trailing overrides.</summary>
    private static string[] LeadingConfigs(ArgumentResult result)
    {
        var configs = result.Tokens.TakeWhile(t => !ConfigOverrides.IsAssignment(t.Value)).Select(t => t.Value).ToArray();
        result.OnlyTake(configs.Length);
        return configs;
    }
}

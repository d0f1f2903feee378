using System.CommandLine;
using System.Globalization;
using VimDense.Backbones;
using VimDense.Cli.Bench;
using VimDense.Engine;

namespace VimDense.Cli.Commands;

/// <summary>
/// `vimdense bench backbone`: inference throughput (images/s) and peak memory of dense feature extraction per
/// model, image size and precision, each point in a fresh child process (so peaks do not mix), the Vim/DeiT ratios,
/// a CSV and a PNG in the layout of the paper's Fig. 1.
/// </summary>
public sealed class BenchBackboneCommand : ICliCommand
{
    public string? Group => "bench";

    public Command Build()
    {
        var models = new Option<string>("--models") { Description = "Comma-separated backbones", DefaultValueFactory = _ => "vim_tiny,deit_tiny" };
        var sizes = new Option<string>("--sizes") { Description = "Comma-separated square image sizes", DefaultValueFactory = _ => "512,640,738,1024,1248" };
        var batch = new Option<int>("--batch") { Description = "Images per forward pass", DefaultValueFactory = _ => 1 };
        var neck = new Option<string>("--neck") { Description = "none (backbone only, Fig. 1) or fpn (backbone + a minimal FPN, Fig. 3/4)", DefaultValueFactory = _ => "none" };
        var device = new DeviceOption(defaultsToConfig: false);
        var attention = new Option<string>("--attention") { Description = "DeiT attention kernel: sdpa or math (matmul + softmax, as the paper's DeiT)", DefaultValueFactory = _ => "sdpa" };
        var iterations = new Option<int>("--iters") { Description = "Minimum timed passes per point (after one warm-up)", DefaultValueFactory = _ => 3 };
        var minSeconds = new Option<double>("--min-seconds") { Description = "Minimum timed seconds per point", DefaultValueFactory = _ => 2.0 };
        var output = new Option<string>("--output") { Description = "Path prefix of the CSV and PNG", DefaultValueFactory = _ => "artifacts/bench/backbone" };
        var rounds = new Option<int>("--rounds")
        {
            Description = "Timing rounds over all points, alternating models; each point keeps its fastest round (load from other processes only slows)",
            DefaultValueFactory = _ => 1,
        };
        var precisions = new Option<string>("--precision")
        {
            Description = "Comma-separated precisions (fp32, bf16, fp16), each point at each; ratios compare models at the same precision",
            DefaultValueFactory = _ => "fp32",
        };
        var depth = new Option<int?>("--depth") { Description = "Override the number of blocks (default: the variant's)" };
        var profile = new Option<bool>("--profile")
        {
            Description = "Instead of the throughput table: per-op time breakdown of one Vim forward and one training step against the GEMM roof (Vim models only)",
        };
        var singlePoint = new Option<bool>("--single-point") { Hidden = true, Description = "Internal: measure the first model and size in this process and print JSON" };
        var command = new Command("backbone", "Images/s and peak memory of backbone feature extraction vs resolution (paper Fig. 1)");
        foreach (var option in new Option[] { models, sizes, batch, neck, attention, precisions, iterations, minSeconds, rounds, output, depth, profile, singlePoint })
            command.Options.Add(option);
        device.AddTo(command);
        command.SetAction(parse =>
        {
            var modelList = SplitList(parse.GetValue(models)!, "--models");
            foreach (var model in modelList) BackboneFactory.IsVim(model);          // validates the names
            var sizeList = SplitList(parse.GetValue(sizes)!, "--sizes").Select(s => int.TryParse(s, out var v) && v >= 16 ? v
                : throw new UserInputException($"--sizes: '{s}' is not an image size (integer >= 16)")).ToList();
            var neckName = parse.GetValue(neck)!.ToLowerInvariant() is "none" or "fpn" ? parse.GetValue(neck)!.ToLowerInvariant()
                : throw new UserInputException($"--neck '{parse.GetValue(neck)}': expected none or fpn");
            _ = device.Resolve(parse);
            var deviceName = VimDense.Engine.ComputeDevice.Parse(device.Value(parse) ?? "cpu", DeviceOption.Name).ToString();
            if (parse.GetValue(batch) < 1) throw new UserInputException("--batch must be at least 1");
            var precisionList = Precisions.ParseList(parse.GetValue(precisions)!, "--precision");

            if (parse.GetValue(profile))
            {
                if (deviceName != "cpu" || neckName != "none") throw new UserInputException("--profile: CPU and --neck none only");
                foreach (var precision in precisionList)
                    foreach (var size in sizeList)
                        foreach (var model in modelList.Where(BackboneFactory.IsVim))
                            BackboneProfile.Run(model, size, parse.GetValue(batch), precision, Math.Max(1, parse.GetValue(iterations)), parse.GetValue(depth), Console.Out);
                return 0;
            }

            if (parse.GetValue(singlePoint))
            {
                var result = BackboneBenchPoint.Measure(modelList[0], sizeList[0], parse.GetValue(batch), neckName, deviceName,
                    parse.GetValue(attention)!.ToLowerInvariant(), precisionList[0], parse.GetValue(iterations), parse.GetValue(minSeconds), parse.GetValue(depth));
                Console.WriteLine(BackboneBenchPoint.ToJson(result));
                return 0;
            }

            if (parse.GetValue(rounds) < 1) throw new UserInputException("--rounds must be at least 1");
            var results = new List<BenchResult>();
            for (var round = 0; round < parse.GetValue(rounds); round++)
                foreach (var precision in precisionList)
                    foreach (var size in sizeList)
                        foreach (var model in modelList)
                        {
                            var name = Precisions.Name(precision);
                            Console.Error.WriteLine($"bench: round {round + 1}, {model} at {size}x{size}, {name} ...");
                            var timed = RunChild(model, size, parse.GetValue(batch), neckName, deviceName, parse.GetValue(attention)!, name,
                                parse.GetValue(iterations), parse.GetValue(minSeconds), parse.GetValue(depth), memoryRun: false);
                            var index = results.FindIndex(r => r.Model == model && r.Size == size && r.Precision == name);
                            if (index < 0)
                            {
                                // Memory once per point, in its own process (see RunChild).
                                var memory = RunChild(model, size, parse.GetValue(batch), neckName, deviceName, parse.GetValue(attention)!, name,
                                    1, 0, parse.GetValue(depth), memoryRun: true);
                                results.Add(timed with { PeakMiB = memory.PeakMiB, BaselineMiB = memory.BaselineMiB });
                            }
                            else if (timed.ImagesPerSecond > results[index].ImagesPerSecond)
                                results[index] = timed with { PeakMiB = results[index].PeakMiB, BaselineMiB = results[index].BaselineMiB };
                            var last = results.First(r => r.Model == model && r.Size == size && r.Precision == name);
                            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                                $"bench: {model} at {size}, {name}: {timed.ImagesPerSecond:0.000} images/s this round (best {last.ImagesPerSecond:0.000}), peak +{last.PeakMiB:0.0} MiB"));
                        }
            BenchReport.Print(results, Console.Out);
            var prefix = parse.GetValue(output)!;
            BenchReport.WriteCsv(prefix + ".csv", results);
            BenchPlot.Save(prefix + ".png", results);
            Console.WriteLine($"wrote {prefix}.csv and {prefix}.png");
            return 0;
        });
        return command;
    }

    private static List<string> SplitList(string text, string option)
    {
        var items = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        return items.Count > 0 ? items : throw new UserInputException($"{option}: empty list");
    }

    /// <summary>Runs this same program with --single-point for one (model, size) and parses its JSON line.</summary>
    private static BenchResult RunChild(string model, int size, int batch, string neck, string device, string attention, string precision,
        int iterations, double minSeconds, int? depth, bool memoryRun)
    {
        var c = CultureInfo.InvariantCulture;
        var args = new List<string> { "bench", "backbone", "--single-point", "--models", model, "--sizes", size.ToString(c),
            "--batch", batch.ToString(c), "--neck", neck, "--device", device, "--attention", attention, "--precision", precision,
            "--iters", iterations.ToString(c), "--min-seconds", minSeconds.ToString(c) };
        if (depth is not null) args.AddRange(["--depth", depth.Value.ToString(c)]);
        return BackboneBenchPoint.FromJson(BenchChild.Run(args, memoryRun, $"{model} at {size}"));
    }
}

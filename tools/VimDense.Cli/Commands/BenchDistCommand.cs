using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using TorchSharp;
using VimDense.Cli.Distributed;
using VimDense.Engine.Distributed;
using VimDense.Experiments;
using static TorchSharp.torch;

namespace VimDense.Cli.Commands;

/// <summary>
/// `vimdense bench dist [--nproc 1,2] [--config C] [--batch B] [--size S] [--iters N]`: data-parallel overhead. For
/// each process count it starts that many local ranks (through mpirun, as `vimdense launch`, cores split between
/// them) which train a segmentor on random batches of the same per-rank batch, and reports seconds per step, its
/// ratio to the first count, and the time and bandwidth of one bucketed allreduce of the whole gradient (the
/// averaging each step adds). Without --config: the Vim-Ti UperNet ADE20K config (12 M gradient floats).
/// </summary>
public sealed class BenchDistCommand : ICliCommand
{
    private const string ResultTag = "bench-dist-result";

    public string? Group => "bench";

    public Command Build()
    {
        var nproc = new Option<string>("--nproc") { Description = "Comma-separated process counts", DefaultValueFactory = _ => "1,2" };
        var config = new Option<string?>("--config") { Description = "Segmentation config (default: configs/ade20k/upernet_vim_tiny_512_60k.json)" };
        // 2: batch norm needs more than one value per channel in one process (UperNet's 1×1 pyramid pooling).
        var batch = new Option<int>("--batch") { Description = "Images per rank and step", DefaultValueFactory = _ => 2 };
        var size = new Option<int>("--size") { Description = "Square image size", DefaultValueFactory = _ => 256 };
        var iterations = new Option<int>("--iters") { Description = "Timed steps (after one warm-up step)", DefaultValueFactory = _ => 3 };
        var worker = new Option<bool>("--worker") { Description = "Internal: run as one rank of the measurement", Hidden = true };
        var command = new Command("dist", "Per-step overhead of data-parallel ranks and allreduce bandwidth of the gradient");
        foreach (var option in new Option[] { nproc, config, batch, size, iterations, worker }) command.Options.Add(option);
        command.SetAction(parse =>
        {
            var (b, s, iters) = (parse.GetValue(batch), parse.GetValue(size), parse.GetValue(iterations));
            if (b < 1 || s < 32 || iters < 1) throw new UserInputException("--batch and --iters must be >= 1, --size >= 32");
            var path = parse.GetValue(config) ?? DefaultConfig();
            if (parse.GetValue(worker)) return Worker(path, b, s, iters);
            var counts = parse.GetValue(nproc)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(t => int.TryParse(t, CultureInfo.InvariantCulture, out var n) && n >= 1 ? n : throw new UserInputException($"--nproc '{t}': expected counts >= 1, e.g. 1,2"))
                .ToArray();
            Console.WriteLine($"{Path.GetFileNameWithoutExtension(path)}: batch {b} per rank, {s}x{s}, {iters} timed steps");
            Console.WriteLine($"{"ranks",6} {"threads",8} {"s/step",8} {"vs first",9} {"allreduce ms",13} {"grad MB",8} {"GB/s",7}");
            double? first = null;
            foreach (var n in counts)
            {
                var run = new MpiRun(n);
                var output = RunCapturing(run, ["bench", "dist", "--worker", "--config", path, "--batch", $"{b}", "--size", $"{s}", "--iters", $"{iters}"]);
                // The tag may follow terminal control bytes that the runtime writes first.
                var line = output.Split('\n').Where(l => l.Contains(ResultTag, StringComparison.Ordinal))
                    .Select(l => l[l.IndexOf(ResultTag, StringComparison.Ordinal)..].Trim()).FirstOrDefault()
                    ?? throw new InvalidOperationException($"{n} rank(s): no result from the ranks:\n{output}");
                var f = line.Split(' ').Skip(1).Select(t => double.Parse(t, CultureInfo.InvariantCulture)).ToArray(); // seconds, allreduce seconds, bytes
                first ??= f[0];
                var reduce = f[1] > 0 ? $"{f[1] * 1e3,13:F1} {f[2] / 1e6,8:F1} {f[2] / f[1] / 1e9,7:F2}" : $"{"-",13} {f[2] / 1e6,8:F1} {"-",7}";
                Console.WriteLine($"{n,6} {run.ThreadsPerRank,8} {f[0],8:F3} {f[0] / first,9:F3} {reduce}");
            }
            Console.WriteLine("(vs first: seconds per step relative to the first count, same per-rank batch; allreduce: mean of the bucketed gradient average, 25 MB buckets)");
            return 0;
        });
        return command;
    }

    /// <summary>One rank: time training steps (gradient averaging included), then the gradient allreduce alone.</summary>
    private static int Worker(string path, int batch, int size, int iterations)
    {
        var group = ProcessGroups.Current;
        var experiment = (SegmentationExperiment)Experiment.FromConfig(path, ["model.backbone.pretrained=null", "train.tensor_board=false"],
            Path.Combine(Path.GetTempPath(), "vimdense-bench-dist"));
        manual_seed(group.Rank);
        var model = experiment.BuildModel(loadPretrained: false);
        var trainer = experiment.CreateTrainer(model, new RandomBatches(batch, size, experiment.Config.Model.ClassCount), null);
        trainer.StepOnce(0);
        group.Barrier();
        var watch = Stopwatch.StartNew();
        for (var i = 1; i <= iterations; i++) trainer.StepOnce(i);
        group.Barrier();
        var perStep = watch.Elapsed.TotalSeconds / iterations;

        var parameters = model.parameters().Where(p => p.requires_grad).ToList<Tensor>();
        foreach (var p in parameters) p.grad ??= zeros_like(p);
        var averager = new GradientAverager(group);
        averager.Average(parameters); // warm-up
        group.Barrier();
        watch.Restart();
        const int Repeats = 5;
        for (var i = 0; i < Repeats; i++) averager.Average(parameters);
        var reduce = group.Size > 1 ? watch.Elapsed.TotalSeconds / Repeats : 0;
        var bytes = parameters.Sum(p => p.numel() * p.element_size());
        if (group.Rank == 0) Console.WriteLine(FormattableString.Invariant($"{ResultTag} {perStep:R} {reduce:R} {bytes}"));
        ProcessGroups.Finish();
        return 0;
    }

    private static string RunCapturing(MpiRun run, string[] command)
    {
        var (program, args) = run.CommandLine(command);
        var start = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        MpiRun.AllowRoot(start);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {program}");
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        // The ranks print their own one-line error on stderr (not captured); this line says which run failed.
        if (process.ExitCode != 0) throw new UserInputException($"bench dist: {program} with {run.Processes} rank(s) exited with {process.ExitCode} (the ranks' error is above)");
        return output;
    }

    private static string DefaultConfig()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "configs", "ade20k", "upernet_vim_tiny_512_60k.json");
            if (File.Exists(path)) return path;
        }
        throw new UserInputException("configs/ade20k not found above the program folder: pass --config");
    }
}

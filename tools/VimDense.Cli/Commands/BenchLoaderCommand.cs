using System.CommandLine;
using System.Diagnostics;
using VimDense.Datasets;
using VimDense.Datasets.Loading;

namespace VimDense.Cli.Commands;

/// <summary>`vimdense bench loader --dataset ade20k|coco DIR --workers 1,2`: samples/s of the full training pipeline.</summary>
public sealed class BenchLoaderCommand : ICliCommand
{
    public string? Group => "bench";

    public Command Build()
    {
        var dataset = new Option<string>("--dataset") { Description = "ade20k or coco", Required = true };
        var dir = new Argument<string>("dir") { Description = "data set root" };
        var workers = new Option<string>("--workers") { Description = "comma-separated worker counts", DefaultValueFactory = _ => "1,2" };
        var batches = new Option<int>("--batches") { Description = "batches timed per worker count (after 2 warm-up batches)", DefaultValueFactory = _ => 20 };
        var batch = new Option<int>("--batch") { Description = "batch size", DefaultValueFactory = _ => 8 };
        var size = new Option<int>("--size") { Description = "crop size (segmentation) / LSJ size (detection)", DefaultValueFactory = _ => 512 };
        var command = new Command("loader", "Throughput (samples/s) of the training data pipeline for several worker counts");
        command.Arguments.Add(dir);
        foreach (var option in new Option[] { dataset, workers, batches, batch, size }) command.Options.Add(option);
        command.SetAction(parse =>
        {
            var counts = ParseCounts(parse.GetValue(workers)!);
            var (root, kind, n, b, s) = (parse.GetValue(dir)!, parse.GetValue(dataset)!, parse.GetValue(batches), parse.GetValue(batch), parse.GetValue(size));
            if (n < 1 || b < 1) throw new UserInputException("--batches and --batch must be >= 1");
            Console.WriteLine($"{"dataset",-8} {"workers",7} {"batch",5} {"size",5} {"batches",7} {"samples/s",10}");
            foreach (var w in counts)
            {
                var options = new DataLoaderOptions { BatchSize = b, Workers = w, Prefetch = 2 * w, Seed = 1 };
                var rate = kind switch
                {
                    "ade20k" => Measure(DataSetup.SegmentationLoader(DataSetup.Ade20k(root, "training", true, s), options, train: true), n, b),
                    "coco" => Measure(DataSetup.DetectionLoader(DataSetup.Coco(root, "train2017", true, s), options, train: true, s), n, b),
                    _ => throw new UserInputException($"--dataset must be ade20k or coco (got '{kind}')"),
                };
                Console.WriteLine($"{kind,-8} {w,7} {b,5} {s,5} {n,7} {rate,10:F1}");
            }
            return 0;
        });
        return command;
    }

    private static int[] ParseCounts(string text)
    {
        try
        {
            var counts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToArray();
            if (counts.Length == 0 || counts.Any(c => c < 1)) throw new FormatException();
            return counts;
        }
        catch (FormatException) { throw new UserInputException($"--workers must be a comma-separated list of positive integers (got '{text}')"); }
    }

    private static double Measure<TSample, TBatch>(DataLoader<TSample, TBatch> loader, int batches, int batchSize)
        where TBatch : class, IDisposable
    {
        using (loader)
        {
            for (var i = 0; i < 2; i++) loader.Next()!.Dispose();
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < batches; i++) loader.Next()!.Dispose();
            return batches * batchSize / watch.Elapsed.TotalSeconds;
        }
    }
}

using System.Globalization;

namespace VimDense.Cli.Bench;

/// <summary>The table, the ratios and the CSV of `bench backbone` and `bench model`.</summary>
internal static class BenchReport
{
    public static void Print(IReadOnlyList<BenchResult> results, TextWriter output, bool ratios = true)
    {
        var c = CultureInfo.InvariantCulture;
        var width = Math.Max(12, results.Max(r => r.Label.Length));
        output.WriteLine($"{"model".PadRight(width)} {"size",5} {"tokens",7} {"batch",5} {"neck",5} {"images/s",10} {"s/iter",8} {"peak MiB",9}");
        foreach (var r in results)
            output.WriteLine(string.Create(c, $"{r.Label.PadRight(width)} {r.Size,5} {r.Tokens,7} {r.Batch,5} {r.Neck,5} {r.ImagesPerSecond,10:0.000} {r.SecondsPerIteration,8:0.000} {r.PeakMiB,9:0.0}"));

        var vim = results.Select(r => r.Model).FirstOrDefault(m => m.StartsWith("vim", StringComparison.Ordinal));
        var deit = results.Select(r => r.Model).FirstOrDefault(m => m.StartsWith("deit", StringComparison.Ordinal));
        if (ratios && vim is not null && deit is not null) PrintRatios(results, vim, deit, output);
    }

    /// <summary>
    /// Per size and precision: images/s of <paramref name="model"/> over <paramref name="baseline"/>'s at the same
    /// precision, and its peak memory as a percentage of the baseline's.
    /// </summary>
    public static void PrintRatios(IReadOnlyList<BenchResult> results, string model, string baseline, TextWriter output)
    {
        var c = CultureInfo.InvariantCulture;
        output.WriteLine();
        var speed = $"{model}/{baseline} images/s";
        var memory = $"{model} memory % of {baseline}";
        output.WriteLine($"{"size",5} {"precision",9} {speed,28} {memory,28}");
        foreach (var (size, precision) in results.Select(r => (r.Size, r.Precision)).Distinct())
        {
            BenchResult? At(string name) => results.FirstOrDefault(r => r.Model == name && r.Size == size && r.Precision == precision);
            if (At(model) is not { } v || At(baseline) is not { } d) continue;
            output.WriteLine(string.Create(c, $"{size,5} {precision,9} {v.ImagesPerSecond / d.ImagesPerSecond,27:0.00}x {100 * v.PeakMiB / d.PeakMiB,27:0.0}%"));
        }
    }

    public static void WriteCsv(string path, IReadOnlyList<BenchResult> results)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null) Directory.CreateDirectory(directory);
        var lines = new List<string> { "model,size,tokens,batch,neck,device,attention,precision,iterations,seconds_per_iteration,images_per_second,peak_mib,baseline_mib" };
        lines.AddRange(results.Select(r => string.Create(CultureInfo.InvariantCulture,
            $"{r.Model},{r.Size},{r.Tokens},{r.Batch},{r.Neck},{r.Device},{r.Attention},{r.Precision},{r.Iterations},{r.SecondsPerIteration:0.######},{r.ImagesPerSecond:0.######},{r.PeakMiB:0.###},{r.BaselineMiB:0.###}")));
        File.WriteAllLines(path, lines);
    }
}

using Newtonsoft.Json;

namespace VimDense.Cli.Bench;

/// <summary>
/// One measured point of `bench train`: a config at a precision. <see cref="SpeedupVsFp32"/> is the fp32 row's
/// seconds per iteration over this row's, for the same config in the same run (null without an fp32 row).
/// </summary>
internal sealed record BenchTrainRow(
    [property: JsonProperty("config")] string Config,
    [property: JsonProperty("precision")] string Precision,
    [property: JsonProperty("parameters")] long Parameters,
    [property: JsonProperty("batch")] int Batch,
    [property: JsonProperty("size")] int Size,
    [property: JsonProperty("seconds_per_iteration")] double SecondsPerIteration,
    [property: JsonProperty("peak_rss_mib")] double PeakRssMib)
{
    [JsonProperty("speedup_vs_fp32")]
    public double? SpeedupVsFp32 { get; init; }

    /// <summary>The rows with <see cref="SpeedupVsFp32"/> filled from each config's fp32 row.</summary>
    public static List<BenchTrainRow> WithSpeedups(IReadOnlyList<BenchTrainRow> rows) =>
        rows.Select(r => rows.FirstOrDefault(f => f.Config == r.Config && f.Precision == "fp32") is { } fp32
            ? r with { SpeedupVsFp32 = fp32.SecondsPerIteration / r.SecondsPerIteration } : r).ToList();
}

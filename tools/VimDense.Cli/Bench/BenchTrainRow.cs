using Newtonsoft.Json;

namespace VimDense.Cli.Bench;

/// <summary>
/// One measured point of `bench train`: a config at a precision and a --checkpoint-layers setting. <see cref="SpeedupVsFp32"/>
/// is the fp32 row's seconds per iteration over this row's, for the same config and setting in the same run (null
/// without an fp32 row); <see cref="MemoryPercent"/> is this row's peak over the peak of the config's first setting at
/// the same precision (<see cref="HeapMemoryPercent"/> the same of the peak heap in use).
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
    /// <summary>model.backbone.checkpoint_layers of this row ("config": as the config sets it).</summary>
    [JsonProperty("checkpoint_layers")]
    public string CheckpointLayers { get; init; } = "config";

    /// <summary>The most bytes malloc had handed out during the row (see HeapInUse), in MiB; null without glibc.</summary>
    [JsonProperty("peak_heap_mib")]
    public double? PeakHeapMib { get; init; }

    [JsonProperty("speedup_vs_fp32")]
    public double? SpeedupVsFp32 { get; init; }

    [JsonProperty("memory_percent")]
    public double? MemoryPercent { get; init; }

    /// <summary>As <see cref="MemoryPercent"/>, of the peak heap in use.</summary>
    [JsonProperty("heap_memory_percent")]
    public double? HeapMemoryPercent { get; init; }

    /// <summary>The rows with <see cref="SpeedupVsFp32"/>, <see cref="MemoryPercent"/> and <see cref="HeapMemoryPercent"/> filled in.</summary>
    public static List<BenchTrainRow> WithRelatives(IReadOnlyList<BenchTrainRow> rows) =>
        rows.Select(r => r with
        {
            SpeedupVsFp32 = rows.FirstOrDefault(f => f.Config == r.Config && f.CheckpointLayers == r.CheckpointLayers && f.Precision == "fp32") is { } fp32
                ? fp32.SecondsPerIteration / r.SecondsPerIteration : null,
            MemoryPercent = 100 * r.PeakRssMib / First(rows, r).PeakRssMib,
            HeapMemoryPercent = 100 * r.PeakHeapMib / First(rows, r).PeakHeapMib,
        }).ToList();

    /// <summary>The config's first row at the row's precision: the base of the memory percentages.</summary>
    private static BenchTrainRow First(IReadOnlyList<BenchTrainRow> rows, BenchTrainRow row) =>
        rows.First(f => f.Config == row.Config && f.Precision == row.Precision);
}

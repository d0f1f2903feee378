using Newtonsoft.Json.Linq;
using VimDense.Datasets.Evaluation;

namespace VimDense.Experiments;

/// <summary>mIoU, mAcc, aAcc and the per-class table of a segmentation evaluation pass.</summary>
public sealed class SegmentationEvaluation(SegmentationMetricResult metrics) : IEvaluation
{
    /// <summary>All metrics, per class included.</summary>
    public SegmentationMetricResult Metrics { get; } = metrics;

    public IReadOnlyDictionary<string, double> Summary() =>
        new Dictionary<string, double> { ["mIoU"] = Metrics.MIoU, ["mAcc"] = Metrics.MAcc, ["aAcc"] = Metrics.AAcc };

    public string FormatTable() => Metrics.FormatTable();

    public JObject ToJson(string checkpoint) => new() { ["checkpoint"] = checkpoint, ["metrics"] = Metrics.ToJson() };
}

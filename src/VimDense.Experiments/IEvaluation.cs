using Newtonsoft.Json.Linq;

namespace VimDense.Experiments;

/// <summary>The metrics of one evaluation pass, in the forms the trainer, the console and metrics.json want.</summary>
public interface IEvaluation
{
    /// <summary>Headline metrics by name (mIoU, bbox_AP, ...), as the trainer logs them and picks the best checkpoint by.</summary>
    IReadOnlyDictionary<string, double> Summary();

    /// <summary>The human-readable table(s) printed after training or evaluation.</summary>
    string FormatTable();

    /// <summary>metrics.json: the full metrics and the checkpoint they belong to.</summary>
    JObject ToJson(string checkpoint);
}

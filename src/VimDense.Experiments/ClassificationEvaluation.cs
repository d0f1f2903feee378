using System.Globalization;
using Newtonsoft.Json.Linq;

namespace VimDense.Experiments;

/// <summary>
/// Top-1 / top-5 accuracy (percent, as timm's accuracy over the whole set) and the mean cross-entropy of a
/// classification checkpoint; the logits when asked for.
/// </summary>
public sealed record ClassificationEvaluation(int Images, int Classes, long Top1Correct, long Top5Correct, double Loss, float[]? Logits = null) : IEvaluation
{
    public double Top1 => 100.0 * Top1Correct / Images;
    public double Top5 => 100.0 * Top5Correct / Images;

    public IReadOnlyDictionary<string, double> Summary() => new Dictionary<string, double> { ["top1"] = Top1, ["top5"] = Top5, ["loss"] = Loss };

    /// <summary>The reference's line (vim/engine.py evaluate): "* Acc@1 .. Acc@5 .. loss ..".</summary>
    public string FormatTable() => string.Create(CultureInfo.InvariantCulture,
        $"* Acc@1 {Top1:F3} Acc@5 {Top5:F3} loss {Loss:F3} ({Images} images, {Classes} classes)");

    public JObject ToJson(string checkpoint) => new()
    {
        ["checkpoint"] = checkpoint, ["images"] = Images, ["classes"] = Classes, ["top1"] = Top1, ["top5"] = Top5, ["loss"] = Loss,
    };
}

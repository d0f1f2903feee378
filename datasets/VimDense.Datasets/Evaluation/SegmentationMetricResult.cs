using System.Globalization;
using System.Text;
using Newtonsoft.Json.Linq;

namespace VimDense.Datasets.Evaluation;

/// <summary>
/// Semantic-segmentation metrics with mmseg's arithmetic, in percent and unrounded: aAcc = ΣI/ΣL,
/// IoU_k = I_k/U_k, Acc_k = I_k/L_k (0/0 → NaN), mIoU/mAcc = NaN-skipping means of the per-class values.
/// </summary>
public sealed class SegmentationMetricResult
{
    internal SegmentationMetricResult(long[] intersect, long[] union, long[] prediction, long[] label, IReadOnlyList<string> classNames, int images)
    {
        AreaIntersect = intersect;
        AreaUnion = union;
        AreaPrediction = prediction;
        AreaLabel = label;
        ClassNames = classNames;
        Images = images;
        var n = intersect.Length;
        var iou = new double[n];
        var acc = new double[n];
        for (var k = 0; k < n; k++)
        {
            iou[k] = (double)intersect[k] / union[k] * 100;
            acc[k] = (double)intersect[k] / label[k] * 100;
        }
        IoU = iou;
        Acc = acc;
        AAcc = (double)intersect.Sum() / label.Sum() * 100;
        MIoU = NanMean(iou);
        MAcc = NanMean(acc);
    }

    public int Images { get; }
    public double AAcc { get; }
    public double MIoU { get; }
    public double MAcc { get; }
    public IReadOnlyList<double> IoU { get; }
    public IReadOnlyList<double> Acc { get; }
    public IReadOnlyList<long> AreaIntersect { get; }
    public IReadOnlyList<long> AreaUnion { get; }
    public IReadOnlyList<long> AreaPrediction { get; }
    public IReadOnlyList<long> AreaLabel { get; }
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>mmseg-style per-class table (IoU, Acc rounded to 2 decimals; nan where undefined) and the summary line.</summary>
    public string FormatTable()
    {
        var width = Math.Max(5, ClassNames.Max(n => n.Length));
        var text = new StringBuilder();
        text.AppendLine($"{"Class".PadRight(width)} | {"IoU",7} | {"Acc",7}");
        text.AppendLine($"{new string('-', width)}-+-{new string('-', 7)}-+-{new string('-', 7)}");
        for (var k = 0; k < IoU.Count; k++)
            text.AppendLine($"{ClassNames[k].PadRight(width)} | {Format(IoU[k]),7} | {Format(Acc[k]),7}");
        text.AppendLine($"aAcc {Format(AAcc)}  mIoU {Format(MIoU)}  mAcc {Format(MAcc)}  ({Images} images)");
        return text.ToString();
    }

    /// <summary>{"aAcc", "mIoU", "mAcc", "IoU": [...], "Acc": [...], "classes": [...]}: percent, unrounded, null for NaN.</summary>
    public JObject ToJson() => new()
    {
        ["aAcc"] = Value(AAcc),
        ["mIoU"] = Value(MIoU),
        ["mAcc"] = Value(MAcc),
        ["IoU"] = new JArray(IoU.Select(Value)),
        ["Acc"] = new JArray(Acc.Select(Value)),
        ["classes"] = new JArray(ClassNames),
        ["images"] = Images,
    };

    private static JValue Value(double v) => double.IsNaN(v) ? JValue.CreateNull() : new JValue(v);

    private static string Format(double v) => double.IsNaN(v) ? "nan" : NumpyCompat.FormatFixed(v, 2);

    /// <summary>np.nanmean: NaNs dropped from both the (pairwise) sum and the count; all-NaN gives NaN.</summary>
    private static double NanMean(double[] values)
    {
        var kept = values.Where(v => !double.IsNaN(v)).ToArray();
        return kept.Length == 0 ? double.NaN : NumpyCompat.PairwiseSum(values.Select(v => double.IsNaN(v) ? 0 : v).ToArray()) / kept.Length;
    }
}

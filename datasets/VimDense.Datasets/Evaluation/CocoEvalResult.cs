using Newtonsoft.Json.Linq;

namespace VimDense.Datasets.Evaluation;

/// <summary>
/// The outcome of COCO evaluation: pycocotools' 12 <c>stats</c> (AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100,
/// ARs, ARm, ARl), its printed summary, and per-category AP@[.5:.95] (area all, 100 detections; NaN when the
/// category has no ground truth), computed as detectron2's COCOEvaluator does.
/// </summary>
public sealed class CocoEvalResult
{
    private readonly CocoAccumulation _acc;
    private readonly CocoEvalParams _p;

    internal CocoEvalResult(CocoEvalParams parameters, CocoAccumulation accumulation, long[] categoryIds, string[] categoryNames)
    {
        _p = parameters;
        _acc = accumulation;
        CategoryIds = categoryIds;
        CategoryNames = categoryNames;
        var m = parameters.MaxDets;
        var lines = new List<string>();
        var stats = new List<double>
        {
            Summarize(true, null, "all", m[^1], lines),
            Summarize(true, .5, "all", m[^1], lines),
            Summarize(true, .75, "all", m[^1], lines),
            Summarize(true, null, "small", m[^1], lines),
            Summarize(true, null, "medium", m[^1], lines),
            Summarize(true, null, "large", m[^1], lines),
            Summarize(false, null, "all", m[0], lines),
            Summarize(false, null, "all", m[1], lines),
            Summarize(false, null, "all", m[^1], lines),
            Summarize(false, null, "small", m[^1], lines),
            Summarize(false, null, "medium", m[^1], lines),
            Summarize(false, null, "large", m[^1], lines),
        };
        Stats = stats;
        SummaryLines = lines;
        PerCategoryAp = Enumerable.Range(0, categoryIds.Length).Select(CategoryAp).ToArray();
    }

    public CocoIouType IouType => _p.IouType;

    /// <summary>The 12 numbers of COCOeval.stats, −1 where undefined.</summary>
    public IReadOnlyList<double> Stats { get; }

    /// <summary>The 12 lines pycocotools prints, character for character.</summary>
    public IReadOnlyList<string> SummaryLines { get; }

    public IReadOnlyList<long> CategoryIds { get; }
    public IReadOnlyList<string> CategoryNames { get; }

    /// <summary>AP@[.5:.95] per category (same order as <see cref="CategoryIds"/>), NaN without ground truth.</summary>
    public IReadOnlyList<double> PerCategoryAp { get; }

    /// <summary>Interpolated precision at IoU threshold t, recall threshold r, category k, area a, maxDets m (−1: undefined).</summary>
    public double Precision(int t, int r, int k, int a, int m) => _acc.Precision[_acc.PrecisionIndex(t, r, k, a, m)];

    /// <summary>Final recall at IoU threshold t, category k, area a, maxDets m (−1: undefined).</summary>
    public double Recall(int t, int k, int a, int m) => _acc.Recall[_acc.RecallIndex(t, k, a, m)];

    /// <summary>{"iou_type", "stats": [12], "summary": [...], "per_category": {name: AP or null}}.</summary>
    public JObject ToJson()
    {
        var perCategory = new JObject();
        for (var k = 0; k < CategoryIds.Count; k++)
        {
            var name = string.IsNullOrEmpty(CategoryNames[k]) || perCategory.ContainsKey(CategoryNames[k])
                ? $"{CategoryNames[k]}#{CategoryIds[k]}" : CategoryNames[k];
            perCategory[name] = double.IsNaN(PerCategoryAp[k]) ? JValue.CreateNull() : new JValue(PerCategoryAp[k]);
        }
        return new JObject
        {
            ["iou_type"] = IouType == CocoIouType.Bbox ? "bbox" : "segm",
            ["stats"] = new JArray(Stats.Select(s => new JValue(s))),
            ["summary"] = new JArray(SummaryLines),
            ["per_category"] = perCategory,
        };
    }

    private double Summarize(bool ap, double? iouThreshold, string area, int maxDets, List<string> lines)
    {
        var a = Array.IndexOf(_p.AreaLabels, area);
        var m = Array.IndexOf(_p.MaxDets, maxDets);
        // np.where(iouThr == p.iouThrs): an exact comparison, as in pycocotools.
        var thresholds = Enumerable.Range(0, _acc.T).Where(t => iouThreshold is null || _p.IouThresholds[t] == iouThreshold).ToArray();
        var values = new List<double>();
        if (a >= 0 && m >= 0)
        {
            foreach (var t in thresholds)
            {
                if (ap)
                {
                    for (var r = 0; r < _acc.R; r++)
                        for (var k = 0; k < _acc.K; k++)
                        {
                            var v = _acc.Precision[_acc.PrecisionIndex(t, r, k, a, m)];
                            if (v > -1) values.Add(v);
                        }
                }
                else
                {
                    for (var k = 0; k < _acc.K; k++)
                    {
                        var v = _acc.Recall[_acc.RecallIndex(t, k, a, m)];
                        if (v > -1) values.Add(v);
                    }
                }
            }
        }
        var mean = values.Count == 0 ? -1 : NumpyCompat.Mean(values.ToArray());
        var title = ap ? "Average Precision" : "Average Recall";
        var type = ap ? "(AP)" : "(AR)";
        var iou = iouThreshold is null
            ? $"{NumpyCompat.FormatFixed(_p.IouThresholds[0], 2)}:{NumpyCompat.FormatFixed(_p.IouThresholds[^1], 2)}"
            : NumpyCompat.FormatFixed(iouThreshold.Value, 2);
        lines.Add($" {title,-18} {type} @[ IoU={iou,-9} | area={area,6} | maxDets={maxDets,3} ] = {NumpyCompat.FormatFixed(mean, 3)}");
        return mean;
    }

    private double CategoryAp(int k)
    {
        var values = new List<double>();
        for (var t = 0; t < _acc.T; t++)
            for (var r = 0; r < _acc.R; r++)
            {
                var v = _acc.Precision[_acc.PrecisionIndex(t, r, k, 0, _acc.M - 1)];
                if (v > -1) values.Add(v);
            }
        return values.Count == 0 ? double.NaN : NumpyCompat.Mean(values.ToArray());
    }
}

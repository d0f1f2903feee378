using VimDense.Engine;

namespace VimDense.Experiments;

/// <summary>
/// The curves a training run leaves in its work directory, drawn from its log.jsonl by <see cref="LogCurvesPlot"/>:
/// loss_curve.png (the total loss, and every loss term together in a second panel), lr_curve.png (the learning rate)
/// and val_curve.png (the validation metrics: one panel for segmentation's mIoU / mAcc / aAcc, one per prefix
/// such as bbox_ and segm_ for detection).
/// </summary>
public static class TrainingCurves
{
    public const string LossFile = "loss_curve.png", LearningRateFile = "lr_curve.png", ValidationFile = "val_curve.png";

    /// <summary>The file names, for the work-directory bookkeeping (<see cref="WorkDirRun"/>).</summary>
    public static readonly string[] FileNames = [LossFile, LearningRateFile, ValidationFile];

    /// <summary>Writes the curves the log has data for; returns the paths written.</summary>
    public static IReadOnlyList<string> Write(string workDir)
    {
        var series = TrainingLog.ReadAllSeries(Path.Combine(workDir, "log.jsonl"));
        IReadOnlyList<(long, double)> Points(string mode, string key) => series.TryGetValue((mode, key), out var p) ? p : [];
        var train = series.Keys.Where(k => k.Mode == "train").Select(k => k.Key).Order(StringComparer.Ordinal).ToList();
        var lossTerms = train.Where(k => k != "loss" && k.Contains("loss", StringComparison.Ordinal)).ToList();
        var validation = series.Keys.Where(k => k.Mode == "val").Select(k => k.Key).Order(StringComparer.Ordinal).ToList();

        var loss = new List<LogPanel>();
        if (Points("train", "loss") is { Count: > 0 } total) loss.Add(new LogPanel("train/loss", "loss", [("loss", total)]));
        if (lossTerms.Count > 0) loss.Add(new LogPanel("train: loss terms", "loss", lossTerms.Select(k => (k, Points("train", k))).ToList()));
        var lr = new List<LogPanel>();
        if (Points("train", "lr") is { Count: > 0 } rates) lr.Add(new LogPanel("train/lr", "learning rate", [("lr", rates)]));
        var metrics = validation.GroupBy(MetricGroup)
            .Select(g => new LogPanel(g.Key.Length == 0 ? "val" : $"val/{g.Key}", "%", g.Select(k => (k, Points("val", k))).ToList())).ToList();

        var files = new (string File, List<LogPanel> Panels)[] { (LossFile, loss), (LearningRateFile, lr), (ValidationFile, metrics) };
        var written = new List<string>();
        foreach (var (file, panels) in files.Where(f => f.Panels.Count > 0))
        {
            var path = Path.Combine(workDir, file);
            LogCurvesPlot.WritePanels(path, panels);
            written.Add(path);
        }
        return written;
    }

    /// <summary>"bbox" of bbox_AP50; "" for keys without a prefix (mIoU): the keys drawn in one panel.</summary>
    private static string MetricGroup(string key) => key.IndexOf('_') is > 0 and var i ? key[..i] : "";
}

using System.Globalization;
using System.Text;
using VimDense.Engine;

namespace VimDense.Experiments;

/// <summary>
/// mmseg's analyze_logs over VimDense's log.jsonl: the series of chosen keys from one or more runs (work directories
/// or log files), and a summary table of each (last, min, max, mean). A key is "key" (every mode that logged it, e.g.
/// train and val) or "mode/key" (that mode only).
/// </summary>
public static class LogAnalysis
{
    public static IReadOnlyList<LogCurve> Read(IReadOnlyList<string> runs, IReadOnlyList<string> keys)
    {
        if (runs.Count == 0) throw new UserInputException("analyze-logs: give at least one work directory or log.jsonl");
        if (keys.Count == 0) throw new UserInputException("--keys: give at least one key (e.g. loss,lr)");
        var curves = new List<LogCurve>();
        foreach (var run in runs)
        {
            var path = Directory.Exists(run) ? Path.Combine(run, "log.jsonl") : run;
            if (!File.Exists(path))
                throw new UserInputException($"{run}: neither a work directory holding log.jsonl nor a log file");
            var all = TrainingLog.ReadAllSeries(path);
            var name = RunName(run);
            foreach (var requested in keys)
            {
                var slash = requested.IndexOf('/');
                var (mode, key) = slash > 0 ? (requested[..slash], requested[(slash + 1)..]) : ((string?)null, requested);
                var found = all.Where(s => s.Key.Key == key && (mode is null || s.Key.Mode == mode) && s.Value.Count > 0)
                    .OrderBy(s => s.Key.Mode, StringComparer.Ordinal).ToList();
                if (found.Count == 0)
                    throw new UserInputException($"{path}: no numeric '{requested}' logged; it has {string.Join(", ", all.Keys.Select(k => $"{k.Mode}/{k.Key}").Order())}");
                curves.AddRange(found.Select(s => new LogCurve(name, s.Key.Mode, s.Key.Key, s.Value)));
            }
        }
        return curves;
    }

    /// <summary>One row per run and series: points, first and last iteration, last, min, max and mean value.</summary>
    public static string FormatSummary(IReadOnlyList<LogCurve> curves)
    {
        var rows = curves.Select(c => new[]
        {
            c.Run, c.Series, c.Points.Count.ToString(CultureInfo.InvariantCulture),
            $"{c.Points[0].Iteration}-{c.Points[^1].Iteration}", Format(c.Last), Format(c.Min), Format(c.Max), Format(c.Mean),
        }).ToList();
        string[] header = ["run", "key", "points", "iters", "last", "min", "max", "mean"];
        var widths = header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        var text = new StringBuilder();
        void Line(string[] cells) => text.AppendLine(string.Join("  ", cells.Select((c, i) => i < 2 ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))).TrimEnd());
        Line(header);
        foreach (var row in rows) Line(row);
        return text.ToString();
    }

    private static string Format(double value) => value.ToString("G6", CultureInfo.InvariantCulture);

    private static string RunName(string run)
    {
        var trimmed = run.TrimEnd('/', '\\');
        return Directory.Exists(run) ? trimmed : Path.GetDirectoryName(trimmed) is { Length: > 0 } dir ? dir : trimmed;
    }
}

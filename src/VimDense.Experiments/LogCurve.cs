namespace VimDense.Experiments;

/// <summary>One logged key of one run (a log.jsonl series of one mode), with the summary numbers analyze-logs prints.</summary>
public sealed record LogCurve(string Run, string Mode, string Key, IReadOnlyList<(long Iteration, double Value)> Points)
{
    /// <summary>"train/loss", "val/mIoU": the panel a curve is drawn in.</summary>
    public string Series => $"{Mode}/{Key}";

    public double Last => Points[^1].Value;

    public double Min => Points.Min(p => p.Value);

    public double Max => Points.Max(p => p.Value);

    public double Mean => Points.Average(p => p.Value);
}

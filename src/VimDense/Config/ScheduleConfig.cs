namespace VimDense.Config;

/// <summary>Iteration-based LR schedule: linear warmup then poly / linear / step / cosine / constant.</summary>
public sealed class ScheduleConfig
{
    [Min(1)]
    public long Iterations { get; set; } = 60000;
    public string Policy { get; set; } = "poly";
    [Min(0), Finite]
    public double Power { get; set; } = 1.0;
    [Min(0), Finite]
    public double MinLr { get; set; }
    [Min(0)]
    public long WarmupIters { get; set; } = 1500;
    [Min(0), Max(1)]
    public double WarmupRatio { get; set; } = 1e-6;
    [Min(0), Ordered]
    public List<long> Milestones { get; set; } = [];
    [Min(0), Finite]
    public double Gamma { get; set; } = 0.1;
}

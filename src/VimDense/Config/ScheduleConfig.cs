namespace VimDense.Config;

/// <summary>Iteration-based LR schedule: linear warmup then poly / linear / step / cosine / constant.</summary>
public sealed class ScheduleConfig
{
    public long Iterations { get; set; } = 60000;
    public string Policy { get; set; } = "poly";
    public double Power { get; set; } = 1.0;
    public double MinLr { get; set; }
    public long WarmupIters { get; set; } = 1500;
    public double WarmupRatio { get; set; } = 1e-6;
    public List<long> Milestones { get; set; } = [];
    public double Gamma { get; set; } = 0.1;
}

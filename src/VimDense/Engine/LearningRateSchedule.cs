namespace VimDense.Engine;

/// <summary>
/// Iteration-based learning rate (mmcv semantics): the regular policy — poly (power, min_lr), linear (poly with
/// power 1), step (×gamma at each milestone), cosine (to min_lr) or constant — multiplied during the first
/// <c>WarmupIterations</c> by the linear warmup factor 1 − (1 − i/warmup)(1 − ratio).
/// </summary>
public sealed record LearningRateSchedule(
    double BaseLr,
    long Iterations,
    string Policy = "poly",
    double Power = 1.0,
    double MinLr = 0.0,
    long WarmupIterations = 0,
    double WarmupRatio = 1e-6,
    IReadOnlyList<long>? Milestones = null,
    double Gamma = 0.1)
{
    /// <summary>Learning rate for the update at 0-based iteration <paramref name="iteration"/>.</summary>
    public double At(long iteration)
    {
        var regular = Regular(iteration);
        if (iteration >= WarmupIterations) return regular;
        var k = (1 - (double)iteration / WarmupIterations) * (1 - WarmupRatio);
        return regular * (1 - k);
    }

    private double Regular(long iteration)
    {
        var progress = Math.Clamp((double)iteration / Math.Max(Iterations, 1), 0, 1);
        return Policy switch
        {
            "poly" => (BaseLr - MinLr) * Math.Pow(1 - progress, Power) + MinLr,
            "linear" => (BaseLr - MinLr) * (1 - progress) + MinLr,
            "cosine" => MinLr + (BaseLr - MinLr) * (1 + Math.Cos(Math.PI * progress)) / 2,
            "step" => BaseLr * Math.Pow(Gamma, (Milestones ?? []).Count(m => iteration >= m)),
            "constant" => BaseLr,
            _ => throw new UserInputException($"schedule.policy '{Policy}': expected poly, linear, cosine, step or constant"),
        };
    }
}

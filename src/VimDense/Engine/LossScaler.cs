using TorchSharp;
using static TorchSharp.torch;

namespace VimDense.Engine;

/// <summary>
/// Dynamic loss scaling for fp16 training (torch.amp.GradScaler's rule): the loss is multiplied by <see cref="Scale"/>
/// before backward so that small float16 gradients do not flush to zero; the gradients are divided by it before
/// clipping and the step. A step whose gradients hold Inf or NaN is skipped and the scale halves; after
/// <see cref="GrowthInterval"/> good steps in a row it doubles. <see cref="MaxConsecutiveSkips"/> skips in a row
/// stop training (the scale cannot recover: the model itself diverged). Scale and good-step count go into checkpoints.
/// </summary>
public sealed class LossScaler(double scale = LossScaler.InitialScale, int growthInterval = LossScaler.DefaultGrowthInterval)
{
    public const double InitialScale = 65536;
    public const double GrowthFactor = 2;
    public const double BackoffFactor = 0.5;
    public const int DefaultGrowthInterval = 2000;
    public const int MaxConsecutiveSkips = 50;

    public double Scale { get; private set; } = scale > 0 && double.IsFinite(scale) ? scale : throw new ArgumentOutOfRangeException(nameof(scale));
    public int GrowthInterval { get; } = growthInterval >= 1 ? growthInterval : throw new ArgumentOutOfRangeException(nameof(growthInterval));
    /// <summary>Good steps since the scale last changed.</summary>
    public int GoodSteps { get; private set; }
    public int ConsecutiveSkips { get; private set; }

    /// <summary>Continues from a checkpoint's scale and good-step count.</summary>
    public void Restore(double savedScale, int goodSteps)
    {
        if (!(savedScale > 0 && double.IsFinite(savedScale)) || goodSteps < 0 || goodSteps >= GrowthInterval)
            throw new InvalidDataException($"loss scale {savedScale} / good steps {goodSteps}: expected a positive finite scale and 0..{GrowthInterval - 1} good steps");
        (Scale, GoodSteps, ConsecutiveSkips) = (savedScale, goodSteps, 0);
    }

    /// <summary>
    /// Divides every gradient by the scale in place (float32 master gradients) and says whether all are finite.
    /// Parameters without a gradient are skipped.
    /// </summary>
    public bool Unscale(IEnumerable<Tensor> parameters)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var finite = true;
        foreach (var p in parameters)
        {
            var g = p.grad;
            if (g is null) continue;
            g.mul_(1.0 / Scale);
            if (finite) finite = isfinite(g).all().item<bool>();
        }
        return finite;
    }

    /// <summary>
    /// After a step (or a skip): grows or backs off the scale. Throws <see cref="TrainingDivergedException"/> after
    /// <see cref="MaxConsecutiveSkips"/> skipped steps in a row; <paramref name="iteration"/> (1-based) names it.
    /// </summary>
    public void Update(bool finite, long iteration)
    {
        if (finite)
        {
            ConsecutiveSkips = 0;
            if (++GoodSteps < GrowthInterval) return;
            Scale *= GrowthFactor;
            GoodSteps = 0;
            return;
        }
        Scale *= BackoffFactor;
        GoodSteps = 0;
        if (++ConsecutiveSkips >= MaxConsecutiveSkips)
            throw new TrainingDivergedException(
                $"fp16: {MaxConsecutiveSkips} steps in a row had Inf/NaN gradients (loss scale now {Scale:G3}) at iteration {iteration}; stopped " +
                "(lower the learning rate, enable gradient clipping, or train in bf16 or fp32)");
    }
}

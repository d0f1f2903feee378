using TorchSharp;
using static TorchSharp.torch;

namespace VimDense.Engine;

/// <summary>
/// AdamW (Loshchilov &amp; Hutter) with torch.optim.AdamW's semantics over parameter groups, each with its own
/// learning rate scale and weight decay. For each parameter that has a gradient, with t its own step count:
/// p ← p·(1 − lr·wd); m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; p ← p − lr·(m / (1−β₁ᵗ)) / (√(v / (1−β₂ᵗ)) + ε).
/// A parameter whose gradient is none (it took no part in the backward passes since <see cref="ZeroGrad"/>) is
/// skipped entirely: no decay, no moment update, no step counted. Written here (rather than TorchSharp's) so that
/// per-group scaling under a schedule is explicit and the whole state can be saved and restored for bit-identical resume.
/// </summary>
public sealed class AdamW
{
    private readonly Dictionary<string, ParameterState> state = new();

    public AdamW(IReadOnlyList<ParameterGroup> groups, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8)
    {
        Groups = groups;
        (Beta1, Beta2, Eps) = (beta1, beta2, eps);
    }

    public IReadOnlyList<ParameterGroup> Groups { get; }
    public double Beta1 { get; }
    public double Beta2 { get; }
    public double Eps { get; }

    /// <summary>Calls of <see cref="Step"/>; each parameter's bias correction uses its own count (<see cref="StepOf"/>).</summary>
    public long Steps { get; private set; }

    public IEnumerable<TorchSharp.Modules.Parameter> Parameters => Groups.SelectMany(g => g.Parameters.Select(p => p.Parameter));

    /// <summary>The number of updates the named parameter has received (0 before its first gradient).</summary>
    public long StepOf(string name) => state.TryGetValue(name, out var s) ? s.Step : 0;

    /// <summary>Sets every gradient to none (torch's zero_grad(set_to_none=True)), so an unused parameter is skipped by the next step.</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters) p.grad = null;
    }

    /// <summary>One update with base learning rate <paramref name="lr"/> (each group uses lr × its scale).</summary>
    public void Step(double lr)
    {
        Steps++;
        using var noGrad = no_grad();
        foreach (var group in Groups)
        {
            var groupLr = lr * group.LrScale;
            foreach (var (name, p) in group.Parameters)
            {
                using var scope = NewDisposeScope();
                var grad = p.grad;
                if (grad is null) continue;
                if (!state.TryGetValue(name, out var s))
                {
                    s = new ParameterState(zeros_like(p).DetachFromDisposeScope(), zeros_like(p).DetachFromDisposeScope());
                    state[name] = s;
                }
                s.Step++;
                var correction1 = 1 - Math.Pow(Beta1, s.Step);
                var correction2 = 1 - Math.Pow(Beta2, s.Step);
                if (group.WeightDecay != 0) p.mul_(1 - groupLr * group.WeightDecay);
                s.ExpAvg.mul_(Beta1).add_(grad, alpha: 1 - Beta1);
                s.ExpAvgSq.mul_(Beta2).addcmul_(grad, grad, value: 1 - Beta2);
                var denominator = s.ExpAvgSq.div(correction2).sqrt_().add_(Eps);
                p.addcdiv_(s.ExpAvg, denominator, value: -groupLr / correction1);
            }
        }
    }

    /// <summary>Moments by "exp_avg.NAME" / "exp_avg_sq.NAME" and each parameter's step count by "step.NAME" (int64 scalar).</summary>
    public Dictionary<string, Tensor> StateTensors()
    {
        var tensors = new Dictionary<string, Tensor>();
        foreach (var (name, s) in state)
        {
            tensors["exp_avg." + name] = s.ExpAvg;
            tensors["exp_avg_sq." + name] = s.ExpAvgSq;
            tensors["step." + name] = tensor(s.Step);
        }
        return tensors;
    }

    /// <summary>
    /// Restores <see cref="StateTensors"/>. Checkpoints written before steps were counted per parameter have no
    /// "step." entries; each such parameter gets <paramref name="steps"/>, the one global count they kept.
    /// </summary>
    public void LoadState(long steps, IReadOnlyDictionary<string, Tensor> tensors)
    {
        Steps = steps;
        state.Clear();
        using var noGrad = no_grad();
        foreach (var (name, p) in Groups.SelectMany(g => g.Parameters))
        {
            var hasM = tensors.TryGetValue("exp_avg." + name, out var m);
            var hasV = tensors.TryGetValue("exp_avg_sq." + name, out var v);
            if (!hasM && !hasV) continue;
            if (!hasM || !hasV || !m!.shape.SequenceEqual(p.shape) || !v!.shape.SequenceEqual(p.shape))
                throw new InvalidDataException($"optimizer state for '{name}' is incomplete or has the wrong shape");
            var step = steps;
            if (tensors.TryGetValue("step." + name, out var saved))
                step = saved is { dtype: ScalarType.Int64 } && saved.numel() == 1 && saved.item<long>() > 0 ? saved.item<long>()
                    : throw new InvalidDataException($"optimizer step count for '{name}' is not a positive int64 scalar");
            state[name] = new ParameterState(m.to(p.dtype, p.device).clone().DetachFromDisposeScope(), v.to(p.dtype, p.device).clone().DetachFromDisposeScope()) { Step = step };
        }
    }

    /// <summary>torch's per-parameter AdamW state: the two moments and the number of updates so far.</summary>
    private sealed class ParameterState(Tensor expAvg, Tensor expAvgSq)
    {
        public Tensor ExpAvg { get; } = expAvg;
        public Tensor ExpAvgSq { get; } = expAvgSq;
        public long Step { get; set; }
    }
}

using TorchSharp;
using static TorchSharp.torch;

namespace VimDense.Engine;

/// <summary>
/// AdamW (Loshchilov &amp; Hutter; torch.optim.AdamW semantics) over parameter groups, each with its own learning
/// rate scale and weight decay: p ← p·(1 − lr·wd); m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²;
/// p ← p − lr·(m / (1−β₁ᵗ)) / (√(v / (1−β₂ᵗ)) + ε). Written here (rather than TorchSharp's) so that per-group
/// scaling under a schedule is explicit and the whole state can be saved and restored for bit-identical resume.
/// </summary>
public sealed class AdamW
{
    private readonly Dictionary<string, (Tensor ExpAvg, Tensor ExpAvgSq)> state = new();

    public AdamW(IReadOnlyList<ParameterGroup> groups, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8)
    {
        Groups = groups;
        (Beta1, Beta2, Eps) = (beta1, beta2, eps);
    }

    public IReadOnlyList<ParameterGroup> Groups { get; }
    public double Beta1 { get; }
    public double Beta2 { get; }
    public double Eps { get; }
    public long Steps { get; private set; }

    public IEnumerable<TorchSharp.Modules.Parameter> Parameters => Groups.SelectMany(g => g.Parameters.Select(p => p.Parameter));

    public void ZeroGrad()
    {
        foreach (var p in Parameters) p.grad?.zero_();
    }

    /// <summary>One update with base learning rate <paramref name="lr"/> (each group uses lr × its scale).</summary>
    public void Step(double lr)
    {
        Steps++;
        var correction1 = 1 - Math.Pow(Beta1, Steps);
        var correction2 = 1 - Math.Pow(Beta2, Steps);
        using var noGrad = no_grad();
        foreach (var group in Groups)
        {
            var groupLr = lr * group.LrScale;
            foreach (var (name, p) in group.Parameters)
            {
                var grad = p.grad;
                if (grad is null) continue;
                using var scope = NewDisposeScope();
                if (!state.TryGetValue(name, out var moments))
                {
                    moments = (zeros_like(p).DetachFromDisposeScope(), zeros_like(p).DetachFromDisposeScope());
                    state[name] = moments;
                }
                if (group.WeightDecay != 0) p.mul_(1 - groupLr * group.WeightDecay);
                moments.ExpAvg.mul_(Beta1).add_(grad, alpha: 1 - Beta1);
                moments.ExpAvgSq.mul_(Beta2).addcmul_(grad, grad, value: 1 - Beta2);
                var denominator = moments.ExpAvgSq.div(correction2).sqrt_().add_(Eps);
                p.addcdiv_(moments.ExpAvg, denominator, value: -groupLr / correction1);
            }
        }
    }

    /// <summary>Moments by "exp_avg.NAME" / "exp_avg_sq.NAME"; the step count travels in checkpoint metadata.</summary>
    public Dictionary<string, Tensor> StateTensors()
    {
        var tensors = new Dictionary<string, Tensor>();
        foreach (var (name, (m, v)) in state)
        {
            tensors["exp_avg." + name] = m;
            tensors["exp_avg_sq." + name] = v;
        }
        return tensors;
    }

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
            state[name] = (m.to(p.dtype, p.device).clone().DetachFromDisposeScope(), v.to(p.dtype, p.device).clone().DetachFromDisposeScope());
        }
    }
}

using TorchSharp;
using static TorchSharp.torch;

namespace VimDense.Engine;

/// <summary>
/// An exponential moving average of a model's parameters and floating-point buffers:
/// ema ← decay·ema + (1 − decay)·value after each optimizer step. <see cref="Swap"/> exchanges the averaged and
/// live weights in place (call it twice to undo), so evaluation can run on the averaged model.
/// </summary>
public sealed class ExponentialMovingAverage
{
    private readonly Dictionary<string, Tensor> shadow = new();
    private readonly nn.Module model;

    public ExponentialMovingAverage(nn.Module model, double decay)
    {
        this.model = model;
        Decay = decay;
        using var noGrad = no_grad();
        foreach (var (name, value) in Entries()) shadow[name] = value.detach().clone().DetachFromDisposeScope();
    }

    public double Decay { get; }

    public void Update()
    {
        using var noGrad = no_grad();
        foreach (var (name, value) in Entries())
            shadow[name].mul_(Decay).add_(value, alpha: 1 - Decay);
    }

    public void Swap()
    {
        using var noGrad = no_grad();
        foreach (var (name, value) in Entries())
        {
            using var scope = NewDisposeScope();
            var live = value.clone();
            value.copy_(shadow[name]);
            shadow[name].copy_(live);
        }
    }

    public IReadOnlyDictionary<string, Tensor> StateTensors() => shadow;

    public void LoadState(IReadOnlyDictionary<string, Tensor> tensors)
    {
        using var noGrad = no_grad();
        foreach (var (name, value) in shadow)
        {
            if (!tensors.TryGetValue(name, out var saved)) throw new InvalidDataException($"EMA state lacks '{name}'");
            value.copy_(saved);
        }
    }

    private IEnumerable<(string, Tensor)> Entries() =>
        model.named_parameters().Select(p => (p.name, (Tensor)p.parameter))
            .Concat(model.named_buffers().Where(b => b.buffer.is_floating_point()).Select(b => (b.name, b.buffer)));
}

using static TorchSharp.torch;

namespace VimDense.Layers;

/// <summary>
/// Stochastic depth: in training, zeroes a whole sample's branch with probability <c>rate</c> and scales the
/// kept ones by 1/(1-rate) so the expectation is unchanged; the identity in evaluation or at rate 0.
/// </summary>
public sealed class DropPath : nn.Module<Tensor, Tensor>
{
    public DropPath(double rate) : base(nameof(DropPath))
    {
        if (rate is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(rate), rate, "drop-path rate must be in [0, 1)");
        Rate = rate;
    }

    public double Rate { get; }

    public override Tensor forward(Tensor input)
    {
        if (!training || Rate == 0) return input.alias();
        var keep = 1.0 - Rate;
        var shape = new long[input.dim()];
        Array.Fill(shape, 1L);
        shape[0] = input.shape[0];
        using var mask = empty(shape, input.dtype, input.device).bernoulli_(keep).div_(keep);
        return input.mul(mask);
    }
}

using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace VimDense.Layers;

/// <summary>
/// Root-mean-square normalisation with a learnable per-channel scale and no bias (Mamba/Vim "RMSNorm"):
/// x · rsqrt(mean(x²) + eps) · weight, computed in float32 whatever the input dtype.
/// The channel dimension is configurable so the Vim residual stream can stay channels-first (B, D, L).
/// </summary>
public sealed class RMSNorm : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly double eps;
    private readonly long channelDim;

    public RMSNorm(long channels, double eps = 1e-5, long channelDim = -1) : base(nameof(RMSNorm))
    {
        weight = new Parameter(ones(channels));
        this.eps = eps;
        this.channelDim = channelDim;
        RegisterComponents();
    }

    public Parameter Weight => weight;
    public double Eps => eps;

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input.to_type(ScalarType.Float32);
        var inverseRms = x.square().mean([channelDim], keepdim: true).add_(eps).rsqrt_();
        var shape = Enumerable.Repeat(1L, (int)input.dim()).ToArray();
        shape[channelDim < 0 ? input.dim() + channelDim : channelDim] = weight.shape[0];
        var y = x.mul(inverseRms).mul_(weight.to_type(ScalarType.Float32).view(shape));
        return y.to_type(input.dtype).MoveToOuterDisposeScope();
    }
}

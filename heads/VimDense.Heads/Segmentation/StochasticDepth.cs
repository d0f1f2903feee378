using TorchSharp;
using static TorchSharp.torch;

namespace VimDense.Heads.Segmentation;

/// <summary>DropPath: zeroes whole samples of a residual branch with probability p in training, rescaling the rest.</summary>
internal sealed class StochasticDepth(double probability) : nn.Module<Tensor, Tensor>(nameof(StochasticDepth))
{
    public override Tensor forward(Tensor x)
    {
        if (!training || probability <= 0) return x;
        var keep = 1 - probability;
        var shape = new long[x.dim()];
        Array.Fill(shape, 1L);
        shape[0] = x.shape[0];
        var mask = rand(shape, dtype: x.dtype, device: x.device).add_(keep).floor_();
        return x.div(keep) * mask;
    }
}

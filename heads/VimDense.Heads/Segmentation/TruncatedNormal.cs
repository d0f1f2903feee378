using TorchSharp;
using static TorchSharp.torch;

namespace VimDense.Heads.Segmentation;

/// <summary>
/// Truncated normal initialisation N(0, std²) restricted to [−2·std, 2·std] by redrawing out-of-range values
/// (timm's trunc_normal_(std=0.02) in practice). Written here because TorchSharp 0.107's nn.init.trunc_normal_
/// fills the tensor with the constant <c>std</c> instead of sampling (checked: std of the result is 0).
/// </summary>
internal static class TruncatedNormal
{
    public static void Fill(Tensor tensor, double std)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        tensor.normal_(0, std);
        for (var round = 0; round < 100; round++)
        {
            var outside = tensor.abs().gt(2 * std);
            if (!outside.any().item<bool>()) return;
            tensor.copy_(where(outside, randn_like(tensor).mul_(std), tensor));
        }
        tensor.clamp_(-2 * std, 2 * std);
    }
}

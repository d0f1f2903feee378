using TorchSharp;
using static TorchSharp.torch;

namespace VimDense.Ops;

/// <summary>Causal conv1d in plain TorchSharp: grouped conv1d with padding W-1, the first L outputs, optional SiLU.</summary>
public static class CausalConv1dReference
{
    /// <summary>Same contract as <see cref="CausalConv1d.Apply"/>.</summary>
    public static Tensor Apply(Tensor x, Tensor weight, Tensor? bias = null, bool silu = true, bool reverse = false)
    {
        Conv1dArguments.Validate(x, weight, bias, native: false);
        if (reverse) return Apply(x.flip(-1), weight, bias, silu).flip(-1);
        var (dim, length, width) = (x.shape[1], x.shape[2], weight.shape[1]);
        var y = nn.functional.conv1d(x, weight.to(x.dtype).unsqueeze(1), bias?.to(x.dtype), stride: 1, padding: width - 1, dilation: 1, groups: dim)
            .narrow(-1, 0, length);
        return silu ? nn.functional.silu(y) : y;
    }
}

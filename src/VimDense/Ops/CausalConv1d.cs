using static TorchSharp.torch;

namespace VimDense.Ops;

/// <summary>
/// Depthwise causal conv1d (width 2..4) with optional SiLU, native CPU/CUDA kernels, differentiable.
/// With <c>reverse</c> the convolution is anti-causal (flip, conv, flip) without flipped copies.
/// </summary>
public static class CausalConv1d
{
    // x: (B, D, L); weight: (D, W) with 2 <= W <= 4; bias: (D). Returns (B, D, L).
    /// <summary>Runs the convolution on the device of <paramref name="x"/>.</summary>
    public static Tensor Apply(Tensor x, Tensor weight, Tensor? bias = null, bool silu = true, bool reverse = false)
    {
        Conv1dArguments.Validate(x, weight, bias, native: true);
        NativeDevices.Require("causal_conv1d", ("x", x), ("weight", weight), ("bias", bias));
        object[] args = [x, weight, bias!, silu, reverse];
        return SelectiveScan.NeedsGradient(x, weight, bias)
            ? AutogradFunctionScopes.Apply(() => [CausalConv1dFunction.apply(args)])[0]
            : CausalConv1dFunction.ForwardOnly(args);
    }
}

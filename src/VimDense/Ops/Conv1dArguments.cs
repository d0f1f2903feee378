using static TorchSharp.torch;

namespace VimDense.Ops;

/// <summary>Argument checks shared by the native causal conv1d and its reference.</summary>
internal static class Conv1dArguments
{
    public static void Validate(Tensor x, Tensor weight, Tensor? bias, bool native)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(weight);
        if (x.dim() != 3 || x.shape.Any(s => s < 1))
            throw new ArgumentException($"x must be a non-empty (batch, dim, length), got {ScanArguments.Shape(x)}", nameof(x));
        ScanArguments.RequireFloating(x, nameof(x));
        if (native) ScanArguments.RequireNativeDType(x, nameof(x));
        var dim = x.shape[1];
        if (weight.dim() != 2 || weight.shape[0] != dim || weight.shape[1] < 2 || weight.shape[1] > 4)
            throw new ArgumentException($"weight must be (dim={dim}, width 2..4), got {ScanArguments.Shape(weight)}", nameof(weight));
        ScanArguments.RequireFloating(weight, nameof(weight));
        ScanArguments.SameDevice(weight, x, nameof(weight));
        if (bias is null) return;
        if (bias.dim() != 1 || bias.shape[0] != dim)
            throw new ArgumentException($"bias must be (dim={dim}), got {ScanArguments.Shape(bias)}", nameof(bias));
        ScanArguments.RequireFloating(bias, nameof(bias));
        ScanArguments.SameDevice(bias, x, nameof(bias));
    }
}

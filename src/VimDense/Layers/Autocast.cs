using TorchSharp.Modules;
using static TorchSharp.torch;

namespace VimDense.Layers;

/// <summary>
/// Our autocast (TorchSharp 0.107 has none): a thread-local scope, <c>using (Autocast.Enter(ScalarType.BFloat16))</c>,
/// that the linear, convolution and matmul call sites consult through <see cref="Linear"/>, <see cref="Conv2d"/>,
/// <see cref="ConvTranspose2d"/> and <see cref="MatMul"/>: inside it their inputs and weights are cast to the low type
/// and they return it; outside it (fp32) they are exactly the module's own forward. Parameters stay float32 (the
/// casts are recorded by autograd, so gradients reach the float32 master weights in float32). Norms, softmax, losses
/// and the scan's state stay float32: those call sites bring activations back with <see cref="Float"/>.
/// </summary>
public static class Autocast
{
    [ThreadStatic] private static ScalarType? active;

    /// <summary>The low element type of the innermost scope on this thread; null outside any (float32).</summary>
    public static ScalarType? Active => active;

    /// <summary>Enters a scope; null or Float32 enters a float32 scope (autocast off inside it, e.g. for a nested fp32 region).</summary>
    public static Scope Enter(ScalarType? lowType)
    {
        if (lowType is { } t && t is not (ScalarType.BFloat16 or ScalarType.Float16 or ScalarType.Float32))
            throw new ArgumentException($"autocast lowers to BFloat16 or Float16, got {t}", nameof(lowType));
        var previous = active;
        active = lowType == ScalarType.Float32 ? null : lowType;
        return new Scope(previous);
    }

    /// <summary>Restores the enclosing scope's type when disposed.</summary>
    public readonly struct Scope(ScalarType? previous) : IDisposable
    {
        public void Dispose() => active = previous;
    }

    /// <summary>A floating-point tensor in the active low type (itself outside a scope, or when it already is).</summary>
    public static Tensor Lower(Tensor x) =>
        active is { } low && x.is_floating_point() && x.dtype != low ? x.to_type(low) : x;

    /// <summary>A low-precision activation back in float32 at a norm, softmax, loss or scan boundary (itself when already float32 or not floating).</summary>
    public static Tensor Float(Tensor x) =>
        x.is_floating_point() && x.dtype is ScalarType.BFloat16 or ScalarType.Float16 ? x.to_type(ScalarType.Float32) : x;

    public static Tensor Linear(TorchSharp.Modules.Linear layer, Tensor x)
    {
        if (active is null) return layer.call(x);
        using var scope = NewDisposeScope();
        return nn.functional.linear(Lower(x), Lower(layer.weight!), layer.bias is { } b ? Lower(b) : null).MoveToOuterDisposeScope();
    }

    public static Tensor Conv2d(TorchSharp.Modules.Conv2d layer, Tensor x)
    {
        if (active is null) return layer.call(x);
        using var scope = NewDisposeScope();
        return nn.functional.conv2d(Lower(x), Lower(layer.weight!), layer.bias is { } b ? Lower(b) : null,
            layer.stride, layer.padding, layer.dilation, layer.groups).MoveToOuterDisposeScope();
    }

    public static Tensor ConvTranspose2d(TorchSharp.Modules.ConvTranspose2d layer, Tensor x)
    {
        if (active is null) return layer.call(x);
        using var scope = NewDisposeScope();
        return nn.functional.conv_transpose2d(Lower(x), Lower(layer.weight!), layer.bias is { } b ? Lower(b) : null,
            layer.stride, layer.padding, layer.output_padding, layer.dilation, layer.groups).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// A module's forward under the policy, for containers (a Sequential branch of a neck) whose children the caller
    /// does not call itself: linear and convolution layers lowered, norm layers given float32, a Sequential walked
    /// child by child, anything else (activations, pooling) run as is on what it gets.
    /// </summary>
    public static Tensor Forward(nn.Module<Tensor, Tensor> module, Tensor x)
    {
        if (active is null) return module.call(x);
        switch (module)
        {
            case TorchSharp.Modules.Linear linear: return Linear(linear, x);
            case TorchSharp.Modules.Conv2d conv: return Conv2d(conv, x);
            case TorchSharp.Modules.ConvTranspose2d deconv: return ConvTranspose2d(deconv, x);
            case BatchNorm2d or TorchSharp.Modules.LayerNorm or GroupNorm or SyncBatchNorm2d or LayerNorm2d:
                using (var scope = NewDisposeScope()) return module.call(Float(x)).MoveToOuterDisposeScope();
            case Sequential sequential:
                var y = x;
                foreach (var child in sequential.children().Cast<nn.Module<Tensor, Tensor>>())
                {
                    var next = Forward(child, y);
                    if (!ReferenceEquals(y, x)) y.Dispose(); // an intermediate of this walk (autograd keeps what it needs)
                    y = next;
                }
                return ReferenceEquals(y, x) ? x.alias() : y;
            default: return module.call(x);
        }
    }

    /// <summary>torch.matmul with both operands in the active low type (a weight operand included).</summary>
    public static Tensor MatMul(Tensor a, Tensor b)
    {
        if (active is null) return matmul(a, b);
        using var scope = NewDisposeScope();
        return matmul(Lower(a), Lower(b)).MoveToOuterDisposeScope();
    }
}

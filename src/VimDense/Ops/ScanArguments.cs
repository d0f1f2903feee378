using TorchSharp;
using static TorchSharp.torch;

namespace VimDense.Ops;

/// <summary>Argument checks shared by the native selective scan and its reference: ArgumentException naming the argument.</summary>
internal static class ScanArguments
{
    public static void Validate(Tensor u, Tensor delta, Tensor A, Tensor B, Tensor C, Tensor? D, Tensor? z,
                                Tensor? deltaBias, bool native)
    {
        ArgumentNullException.ThrowIfNull(u);
        ArgumentNullException.ThrowIfNull(delta);
        ArgumentNullException.ThrowIfNull(A);
        ArgumentNullException.ThrowIfNull(B);
        ArgumentNullException.ThrowIfNull(C);
        if (u.dim() != 3) throw new ArgumentException($"u must be (batch, dim, length), got {Shape(u)}", nameof(u));
        var (batch, dim, length) = (u.shape[0], u.shape[1], u.shape[2]);
        if (batch < 1 || dim < 1 || length < 1) throw new ArgumentException($"u must not be empty, got {Shape(u)}", nameof(u));
        RequireFloating(u, nameof(u));
        if (native) RequireNativeDType(u, nameof(u));
        SameAs(delta, u, nameof(delta));
        if (z is not null) SameAs(z, u, nameof(z));
        if (A.dim() != 2 || A.shape[0] != dim)
            throw new ArgumentException($"A must be (dim={dim}, dstate), got {Shape(A)}", nameof(A));
        var dstate = A.shape[1];
        if (dstate < 1 || dstate > 256) throw new ArgumentException($"A: dstate must be 1..256, got {dstate}", nameof(A));
        RequireFloating(A, nameof(A));
        SameDevice(A, u, nameof(A));
        CheckStates(B, u, dstate, nameof(B));
        CheckStates(C, u, dstate, nameof(C));
        if (B.dim() != C.dim() || !B.shape.SequenceEqual(C.shape))
            throw new ArgumentException($"C must have the shape of B {Shape(B)}, got {Shape(C)}", nameof(C));
        if (D is not null) CheckChannelVector(D, u, nameof(D));
        if (deltaBias is not null) CheckChannelVector(deltaBias, u, nameof(deltaBias));
    }

    private static void CheckStates(Tensor t, Tensor u, long dstate, string name)
    {
        var (batch, dim, length) = (u.shape[0], u.shape[1], u.shape[2]);
        var ok = t.dim() == 4 ? t.shape[0] == batch && t.shape[1] >= 1 && dim % t.shape[1] == 0 && t.shape[2] == dstate && t.shape[3] == length
               : t.dim() == 3 && t.shape[0] == batch && t.shape[1] == dstate && t.shape[2] == length;
        if (!ok)
            throw new ArgumentException(
                $"{name} must be (batch={batch}, groups dividing {dim}, dstate={dstate}, length={length}) or (batch, dstate, length), got {Shape(t)}", name);
        if (t.dtype != u.dtype) throw new ArgumentException($"{name} must have the dtype of u ({u.dtype}), got {t.dtype}", name);
        SameDevice(t, u, name);
    }

    private static void CheckChannelVector(Tensor t, Tensor u, string name)
    {
        if (t.dim() != 1 || t.shape[0] != u.shape[1])
            throw new ArgumentException($"{name} must be (dim={u.shape[1]}), got {Shape(t)}", name);
        RequireFloating(t, name);
        SameDevice(t, u, name);
    }

    internal static void SameAs(Tensor t, Tensor u, string name)
    {
        if (!t.shape.SequenceEqual(u.shape)) throw new ArgumentException($"{name} must have the shape of u/x {Shape(u)}, got {Shape(t)}", name);
        if (t.dtype != u.dtype) throw new ArgumentException($"{name} must have the dtype of u/x ({u.dtype}), got {t.dtype}", name);
        SameDevice(t, u, name);
    }

    internal static void SameDevice(Tensor t, Tensor u, string name)
    {
        if (t.device_type != u.device_type || t.device_index != u.device_index)
            throw new ArgumentException($"{name} is on {t.device}, expected {u.device} like the first input", name);
    }

    internal static void RequireFloating(Tensor t, string name)
    {
        if (!t.is_floating_point()) throw new ArgumentException($"{name} must be a floating-point tensor, got {t.dtype}", name);
    }

    /// <summary>
    /// CPU kernels take float32/float64 and float16/bfloat16 activations (computed with float32 state, see
    /// native/cpu/storage.h); CUDA kernels float32/float16/bfloat16.
    /// </summary>
    internal static void RequireNativeDType(Tensor t, string name)
    {
        var ok = t.device_type == DeviceType.CPU
            ? t.dtype is ScalarType.Float32 or ScalarType.Float64 or ScalarType.Float16 or ScalarType.BFloat16
            : t.dtype is ScalarType.Float32 or ScalarType.Float16 or ScalarType.BFloat16;
        if (!ok) throw new ArgumentException($"{name}: dtype {t.dtype} is not supported by the native kernels on {t.device}", name);
        if (t.device_type != DeviceType.CPU && t.device_type != DeviceType.CUDA)
            throw new ArgumentException($"{name}: device {t.device} is not supported (CPU or CUDA)", name);
    }

    internal static string Shape(Tensor t) => "(" + string.Join(", ", t.shape) + ")";
}

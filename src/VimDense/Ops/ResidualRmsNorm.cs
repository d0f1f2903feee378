using System.Runtime.InteropServices;
using TorchSharp;
using VimDense.Native;
using static TorchSharp.torch;

namespace VimDense.Ops;

/// <summary>
/// Inference-only fused residual add + RMSNorm over the channels of a (B, C, L) float32 stream
/// (<c>native/include/vd_norm.h</c>): one native pass instead of the ~8 library ops of the add and
/// <see cref="Layers.RMSNorm"/>, the same values within float rounding.
/// </summary>
public static partial class ResidualRmsNorm
{
    [LibraryImport(VdNative.Lib, EntryPoint = "vd_residual_rms_norm_fwd")]
    private static partial int Forward(long batch, long channels, long length, IntPtr hidden, IntPtr residual,
        IntPtr weight, double eps, IntPtr residualOut, IntPtr output);

    /// <summary>False when the environment variable VD_NO_FUSED_NORM is set (any value): A/B against the library ops.</summary>
    public static bool Enabled { get; } = Environment.GetEnvironmentVariable("VD_NO_FUSED_NORM") is null;

    /// <summary>
    /// Whether <see cref="Apply"/> takes these inputs: CPU float32, 3-D, contiguous, and nothing that autograd would
    /// have to record (training keeps the differentiable library ops).
    /// </summary>
    public static bool Applies(Tensor hidden, Tensor? residual, Tensor weight) =>
        hidden.device_type == DeviceType.CPU && hidden.dim() == 3 && hidden.dtype == ScalarType.Float32 &&
        weight.dtype == ScalarType.Float32 && weight.is_contiguous() && hidden.is_contiguous() &&
        residual is null or { dtype: ScalarType.Float32 } && (residual?.is_contiguous() ?? true) &&
        residual?.shape.SequenceEqual(hidden.shape) != false &&
        !SelectiveScan.NeedsGradient(hidden, residual, weight);

    /// <summary>(hidden + residual, RMSNorm of it); residual null means the sum is hidden itself (copied).</summary>
    public static (Tensor Residual, Tensor Normalised) Apply(Tensor hidden, Tensor? residual, Tensor weight, double eps)
    {
        if (!Applies(hidden, residual, weight))
            throw new ArgumentException("residual rms norm: expected contiguous CPU float32 (B, C, L) tensors without gradients");
        Tensor sum, normalised;
        using (OpProfiler.Scope(OpCategory.Allocation))
        {
            sum = empty_like(hidden);
            normalised = empty_like(hidden);
        }
        using var timed = OpProfiler.Scope(OpCategory.NormResidual);
        VdNative.Check(Forward(hidden.shape[0], hidden.shape[1], hidden.shape[2], ScanNative.Ptr(hidden),
            ScanNative.Ptr(residual), ScanNative.Ptr(weight), eps, ScanNative.Ptr(sum), ScanNative.Ptr(normalised)),
            "residual rms norm");
        return (sum, normalised);
    }
}

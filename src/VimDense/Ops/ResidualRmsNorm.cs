using System.Runtime.InteropServices;
using TorchSharp;
using VimDense.Native;
using static TorchSharp.torch;

namespace VimDense.Ops;

/// <summary>
/// Inference-only fused residual add + RMSNorm over the channels of a (B, C, L) stream
/// (<c>native/include/vd_norm.h</c>): one native pass instead of the ~8 library ops of the add and
/// <see cref="Layers.RMSNorm"/>, the same values within float rounding. The residual is float32; the block's input
/// (the previous mixer output) and the normalised output may be bfloat16 or float16, as under mixed precision, where
/// the output goes straight into in_proj's low-precision GEMM.
/// </summary>
public static partial class ResidualRmsNorm
{
    [LibraryImport(VdNative.Lib, EntryPoint = "vd_residual_rms_norm_fwd")]
    private static partial int Forward(long batch, long channels, long length, IntPtr hidden, int hiddenType, IntPtr residual,
        IntPtr weight, double eps, IntPtr residualOut, IntPtr output, int outputType);

    /// <summary>False when the environment variable VD_NO_FUSED_NORM is set (any value): A/B against the library ops.</summary>
    public static bool Enabled { get; } = Environment.GetEnvironmentVariable("VD_NO_FUSED_NORM") is null;

    /// <summary>
    /// Whether <see cref="Apply"/> takes these inputs: CPU, 3-D, contiguous, hidden float32/bfloat16/float16, residual
    /// and weight float32, and nothing that autograd would have to record (training keeps the differentiable library ops).
    /// </summary>
    public static bool Applies(Tensor hidden, Tensor? residual, Tensor weight) =>
        hidden.device_type == DeviceType.CPU && hidden.dim() == 3 && IsActivationType(hidden.dtype) &&
        weight.dtype == ScalarType.Float32 && weight.is_contiguous() && hidden.is_contiguous() &&
        residual is null or { dtype: ScalarType.Float32 } && (residual?.is_contiguous() ?? true) &&
        residual?.shape.SequenceEqual(hidden.shape) != false &&
        !SelectiveScan.NeedsGradient(hidden, residual, weight);

    private static bool IsActivationType(ScalarType type) => type is ScalarType.Float32 or ScalarType.BFloat16 or ScalarType.Float16;

    /// <summary>
    /// (hidden + residual in float32, RMSNorm of it in <paramref name="outputType"/>: float32, bfloat16 or float16);
    /// residual null means the sum is hidden itself (copied, in float32).
    /// </summary>
    public static (Tensor Residual, Tensor Normalised) Apply(Tensor hidden, Tensor? residual, Tensor weight, double eps,
        ScalarType outputType = ScalarType.Float32)
    {
        if (!Applies(hidden, residual, weight) || !IsActivationType(outputType))
            throw new ArgumentException("residual rms norm: expected contiguous CPU (B, C, L) tensors without gradients, float32 residual and weight, float32/bfloat16/float16 hidden and output");
        Tensor sum, normalised;
        using (OpProfiler.Scope(OpCategory.Allocation))
        {
            sum = empty(hidden.shape, ScalarType.Float32);
            normalised = empty(hidden.shape, outputType);
        }
        using var timed = OpProfiler.Scope(OpCategory.NormResidual);
        VdNative.Check(Forward(hidden.shape[0], hidden.shape[1], hidden.shape[2], ScanNative.Ptr(hidden), ScanNative.DTypeCode(hidden.dtype),
            ScanNative.Ptr(residual), ScanNative.Ptr(weight), eps, ScanNative.Ptr(sum), ScanNative.Ptr(normalised),
            ScanNative.DTypeCode(outputType)), "residual rms norm");
        return (sum, normalised);
    }
}

using System.Runtime.InteropServices;
using TorchSharp;
using VimDense.Native;
using static TorchSharp.torch;

namespace VimDense.Ops;

/// <summary>
/// P/Invoke declarations of <c>native/include/vd_scan.h</c> (selective scan, causal conv1d) and the helpers
/// that turn tensors into the raw pointers and codes the C ABI expects.
/// </summary>
internal static unsafe partial class ScanNative
{
    /// <summary>Mirror of <c>vd_scan_shape</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct ScanShape
    {
        public long Batch, Dim, Length, DState, Groups;
        public long XStrideBatch, XStrideDim;
        public long BcStrideBatch, BcStrideGroup, BcStrideState;
        public int DType, DeltaSoftplus, Reverse, Device;
    }

    /// <summary>Mirror of <c>vd_conv1d_shape</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct Conv1dShape
    {
        public long Batch, Dim, Length, Width;
        public long XStrideBatch, XStrideDim;
        public int DType, Silu, Reverse, Device;
    }

    [LibraryImport(VdNative.Lib, EntryPoint = "vd_selective_scan_fwd")]
    internal static partial int ScanForward(ScanShape* shape, IntPtr u, IntPtr delta, IntPtr a, IntPtr b, IntPtr c,
        IntPtr d, IntPtr z, IntPtr deltaBias, IntPtr output, IntPtr checkpoints, IntPtr stream);

    [LibraryImport(VdNative.Lib, EntryPoint = "vd_selective_scan_checkpoint_bytes")]
    internal static partial long ScanCheckpointBytes(ScanShape* shape);

    [LibraryImport(VdNative.Lib, EntryPoint = "vd_selective_scan_bwd")]
    internal static partial int ScanBackward(ScanShape* shape, IntPtr u, IntPtr delta, IntPtr a, IntPtr b, IntPtr c,
        IntPtr d, IntPtr z, IntPtr deltaBias, IntPtr dout, IntPtr du, IntPtr ddelta, IntPtr dA, IntPtr dB, IntPtr dC,
        IntPtr dD, IntPtr dz, IntPtr ddeltaBias, IntPtr checkpoints, IntPtr stream);

    [LibraryImport(VdNative.Lib, EntryPoint = "vd_causal_conv1d_fwd")]
    internal static partial int ConvForward(Conv1dShape* shape, IntPtr x, IntPtr weight, IntPtr bias, IntPtr output,
        IntPtr stream);

    [LibraryImport(VdNative.Lib, EntryPoint = "vd_causal_conv1d_bwd")]
    internal static partial int ConvBackward(Conv1dShape* shape, IntPtr x, IntPtr weight, IntPtr bias, IntPtr dout,
        IntPtr dx, IntPtr dweight, IntPtr dbias, IntPtr stream);

    // LibTorchSharp's tensor.data_ptr() (storage offset included); TorchSharp 0.107 has no managed data_ptr.
    [DllImport("LibTorchSharp")]
    private static extern IntPtr THSTensor_data(IntPtr handle);

    /// <summary>Address of the first element of a tensor, or zero for null.</summary>
    internal static IntPtr Ptr(Tensor? t) => t is null ? IntPtr.Zero : THSTensor_data(t.Handle);

    /// <summary>vd_dtype code of an activation dtype.</summary>
    internal static int DTypeCode(ScalarType type) => type switch
    {
        ScalarType.Float32 => 0,
        ScalarType.Float64 => 1,
        ScalarType.Float16 => 2,
        ScalarType.BFloat16 => 3,
        _ => throw new ArgumentException($"unsupported dtype {type}"),
    };

    /// <summary>-1 for CPU tensors, the CUDA index otherwise.</summary>
    internal static int DeviceCode(Tensor t) => t.device_type == DeviceType.CPU ? -1 : Math.Max(0, t.device_index);

    /// <summary>Weights (A, D, bias, conv weight) are float64 with float64 activations and float32 otherwise.</summary>
    internal static ScalarType WeightType(ScalarType activation) =>
        activation == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32;

    /// <summary>Contiguous, in the given dtype (no copy when already so).</summary>
    internal static Tensor Prepared(Tensor t, ScalarType type) => t.to(type).contiguous();

    internal static Tensor? PreparedOrNull(Tensor? t, ScalarType type) => t is null ? null : Prepared(t, type);
}

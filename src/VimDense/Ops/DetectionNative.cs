using System.Runtime.InteropServices;
using VimDense.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace VimDense.Ops;

/// <summary>
/// P/Invoke declarations of <c>native/include/vd_detection.h</c> and the tensor facts the C ABI needs:
/// data pointers, element type codes and device indices.
/// </summary>
internal static partial class DetectionNative
{
    /// <summary>Mirror of the C struct <c>vd_roi_align_shape</c> (field order and sizes must match).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct RoiAlignShape
    {
        public long Batch, Channels, Height, Width;
        public long NumRois;
        public long PooledHeight, PooledWidth;
        public double SpatialScale;
        public int SamplingRatio;
        public int Aligned;
        public int DType;
        public int Device;
    }

    [LibraryImport(VdNative.Lib, EntryPoint = "vd_roi_align_forward")]
    internal static partial int RoiAlignForward(in RoiAlignShape shape, IntPtr input, IntPtr rois, IntPtr output, IntPtr stream);

    [LibraryImport(VdNative.Lib, EntryPoint = "vd_roi_align_backward")]
    internal static partial int RoiAlignBackward(in RoiAlignShape shape, IntPtr gradOutput, IntPtr rois, IntPtr gradInput, IntPtr stream);

    [LibraryImport(VdNative.Lib, EntryPoint = "vd_nms")]
    internal static unsafe partial int Nms(int dtype, int device, IntPtr boxes, IntPtr scores, long count, double iouThreshold,
        long* keep, out long numKept, IntPtr stream);

    // LibTorchSharp's own accessor for at::Tensor::data_ptr() (storage offset included); TorchSharp has
    // already loaded the library, and the application's deps.json tells the runtime where it is.
    [LibraryImport("LibTorchSharp", EntryPoint = "THSTensor_data")]
    private static partial IntPtr TensorData(IntPtr tensor);

    /// <summary>Address of the first element of a contiguous tensor (NULL-equivalent for empty ones).</summary>
    internal static IntPtr DataPointer(Tensor tensor)
    {
        if (!tensor.is_contiguous()) throw new ArgumentException("internal: native ops need contiguous tensors");
        return tensor.numel() == 0 ? IntPtr.Zero : TensorData(tensor.Handle);
    }

    /// <summary>The vd_dtype code of a tensor's element type, or -1 when the C ABI has none.</summary>
    internal static int DTypeCode(ScalarType type) => type switch
    {
        ScalarType.Float32 => 0,
        ScalarType.Float64 => 1,
        ScalarType.Float16 => 2,
        ScalarType.BFloat16 => 3,
        _ => -1,
    };

    /// <summary>-1 for CPU tensors, the CUDA device index otherwise.</summary>
    internal static int DeviceCode(Tensor tensor) =>
        tensor.device_type == DeviceType.CUDA ? Math.Max(tensor.device_index, 0) : -1;
}

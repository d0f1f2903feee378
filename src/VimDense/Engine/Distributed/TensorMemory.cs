using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace VimDense.Engine.Distributed;

/// <summary>The native address of a tensor's first element, for handing tensors to MPI and NCCL in place.</summary>
internal static partial class TensorMemory
{
    // LibTorchSharp's at::Tensor::data_ptr() (storage offset included); TorchSharp 0.107 has no managed data_ptr.
    [LibraryImport("LibTorchSharp", EntryPoint = "THSTensor_data")]
    private static partial nint THSTensor_data(nint handle);

    public static nint Address(Tensor tensor) => THSTensor_data(tensor.Handle);
}

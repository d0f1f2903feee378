using System.Runtime.InteropServices;

namespace VimDense.Engine.Distributed;

/// <summary>
/// The part of NCCL's C API (libnccl.so.2, found at run time: GPU machines with a pip PyTorch carry it in the
/// nvidia-nccl wheel; VIMDENSE_NCCL_LIB names the file) that data-parallel training needs.
/// </summary>
internal sealed unsafe class NcclLibrary
{
    /// <summary>ncclUniqueId: 128 opaque bytes made by one rank and handed to the others.</summary>
    [StructLayout(LayoutKind.Sequential, Size = 128)]
    public struct UniqueId
    {
        private fixed byte bytes[128];
    }

    // ncclDataType_t and ncclRedOp_t values from nccl.h (2.x).
    public const int Int32 = 2, Int64 = 4, Float32 = 7, Float64 = 8, Uint8 = 1;
    public const int OpSum = 0;

    private NcclLibrary(nint handle)
    {
        GetUniqueId = (delegate* unmanaged<UniqueId*, int>)NativeLibrary.GetExport(handle, "ncclGetUniqueId");
        CommInitRank = (delegate* unmanaged<nint*, int, UniqueId, int, int>)NativeLibrary.GetExport(handle, "ncclCommInitRank");
        AllReduce = (delegate* unmanaged<nint, nint, nuint, int, int, nint, nint, int>)NativeLibrary.GetExport(handle, "ncclAllReduce");
        Broadcast = (delegate* unmanaged<nint, nint, nuint, int, int, nint, nint, int>)NativeLibrary.GetExport(handle, "ncclBroadcast");
        CommDestroy = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(handle, "ncclCommDestroy");
        GetErrorString = (delegate* unmanaged<int, nint>)NativeLibrary.GetExport(handle, "ncclGetErrorString");
    }

    public readonly delegate* unmanaged<UniqueId*, int> GetUniqueId;
    public readonly delegate* unmanaged<nint*, int, UniqueId, int, int> CommInitRank;
    /// <summary>(sendbuff, recvbuff, count, datatype, op, comm, stream).</summary>
    public readonly delegate* unmanaged<nint, nint, nuint, int, int, nint, nint, int> AllReduce;
    /// <summary>(sendbuff, recvbuff, count, datatype, root, comm, stream).</summary>
    public readonly delegate* unmanaged<nint, nint, nuint, int, int, nint, nint, int> Broadcast;
    public readonly delegate* unmanaged<nint, int> CommDestroy;
    public readonly delegate* unmanaged<int, nint> GetErrorString;

    /// <summary>Whether libnccl.so.2 (or VIMDENSE_NCCL_LIB) can be loaded on this machine.</summary>
    public static bool TryLoad(out NcclLibrary? library)
    {
        var name = Environment.GetEnvironmentVariable("VIMDENSE_NCCL_LIB") is { Length: > 0 } path ? path : "libnccl.so.2";
        library = NativeLibrary.TryLoad(name, out var handle) ? new NcclLibrary(handle) : null;
        return library is not null;
    }

    public void Check(int result, string call)
    {
        if (result != 0) throw new InvalidOperationException($"{call} failed: {Marshal.PtrToStringUTF8(GetErrorString(result))} (NCCL result {result})");
    }
}

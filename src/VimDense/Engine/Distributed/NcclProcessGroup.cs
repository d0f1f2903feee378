using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace VimDense.Engine.Distributed;

/// <summary>
/// NCCL collectives for CUDA tensors over the ranks of <paramref name="control"/> (MPI, or the one-process group):
/// rank 0 makes the NCCL unique id and broadcasts it through <paramref name="control"/>, every rank joins the
/// communicator on its local GPU. CPU tensors and the byte/vote collectives go through <paramref name="control"/>.
/// NCCL calls are queued on the default CUDA stream, where TorchSharp queues its kernels, so no extra synchronisation
/// is needed between them.
/// </summary>
public sealed unsafe class NcclProcessGroup : IProcessGroup, IDisposable
{
    private readonly IProcessGroup control;
    private readonly NcclLibrary nccl;
    private nint comm;

    private NcclProcessGroup(IProcessGroup control, NcclLibrary nccl)
    {
        this.control = control;
        this.nccl = nccl;
        var id = default(NcclLibrary.UniqueId);
        if (control.Rank == 0) nccl.Check(nccl.GetUniqueId(&id), "ncclGetUniqueId");
        var bytes = new byte[sizeof(NcclLibrary.UniqueId)];
        MemoryMarshal.Write(bytes, in id);
        id = MemoryMarshal.Read<NcclLibrary.UniqueId>(control.BroadcastBytes(bytes));
        nint created;
        nccl.Check(nccl.CommInitRank(&created, control.Size, id, control.Rank), "ncclCommInitRank");
        comm = created;
    }

    /// <summary>Whether NCCL can be used here: a CUDA device for libtorch and libnccl.so.2 loadable.</summary>
    public static bool IsAvailable => cuda.is_available() && NcclLibrary.TryLoad(out _);

    /// <summary>The NCCL group over <paramref name="control"/>'s ranks (call on every rank; the current CUDA device is used).</summary>
    public static NcclProcessGroup Create(IProcessGroup control)
    {
        if (!NcclLibrary.TryLoad(out var nccl))
            throw new DllNotFoundException("libnccl.so.2 not found (pip install nvidia-nccl-cu12, or set VIMDENSE_NCCL_LIB)");
        return new NcclProcessGroup(control, nccl!);
    }

    public int Rank => control.Rank;
    public int Size => control.Size;
    public int LocalRank => control.LocalRank;
    public int LocalSize => control.LocalSize;

    public void AllReduceSum(Tensor tensor)
    {
        if (tensor.device_type != DeviceType.CUDA) { control.AllReduceSum(tensor); return; }
        Contiguous(tensor, t => nccl.Check(nccl.AllReduce(TensorMemory.Address(t), TensorMemory.Address(t), (nuint)t.numel(), Datatype(t.dtype), NcclLibrary.OpSum, comm, 0), "ncclAllReduce"));
    }

    public void Broadcast(Tensor tensor, int root = 0)
    {
        if (tensor.device_type != DeviceType.CUDA) { control.Broadcast(tensor, root); return; }
        Contiguous(tensor, t => nccl.Check(nccl.Broadcast(TensorMemory.Address(t), TensorMemory.Address(t), (nuint)t.numel(), Datatype(t.dtype), root, comm, 0), "ncclBroadcast"));
    }

    public void Barrier() => control.Barrier();
    public bool AllAgree(bool value) => control.AllAgree(value);
    public byte[][] AllGatherBytes(byte[] data) => control.AllGatherBytes(data);
    public byte[] BroadcastBytes(byte[] data, int root = 0) => control.BroadcastBytes(data, root);
    public void Abort(int exitCode) => control.Abort(exitCode);

    public void Dispose()
    {
        if (comm == 0) return;
        nccl.CommDestroy(comm);
        comm = 0;
    }

    private static void Contiguous(Tensor tensor, Action<Tensor> collective)
    {
        if (tensor.is_contiguous()) { collective(tensor); return; }
        using var work = tensor.contiguous();
        collective(work);
        using (no_grad()) tensor.copy_(work);
    }

    private static int Datatype(ScalarType type) => type switch
    {
        ScalarType.Float32 => NcclLibrary.Float32,
        ScalarType.Float64 => NcclLibrary.Float64,
        ScalarType.Int32 => NcclLibrary.Int32,
        ScalarType.Int64 => NcclLibrary.Int64,
        ScalarType.Byte => NcclLibrary.Uint8,
        _ => throw new NotSupportedException($"NCCL collectives on {type} tensors are not supported"),
    };
}

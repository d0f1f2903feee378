using TorchSharp;
using static TorchSharp.torch;

namespace VimDense.Engine.Distributed;

/// <summary>
/// The ranks of MPI_COMM_WORLD through the MPI library found at run time (<see cref="MpiLibrary"/>). CPU tensors are
/// reduced in place; a tensor that is not contiguous goes through a contiguous copy. Counts above 2^30 elements are
/// sent in pieces (MPI counts are 32-bit).
/// </summary>
public sealed unsafe class MpiProcessGroup : IProcessGroup
{
    private const int MaxCount = 1 << 30;
    private readonly MpiLibrary mpi;

    private MpiProcessGroup(MpiLibrary mpi, LaunchEnvironment launch)
    {
        this.mpi = mpi;
        int rank, size;
        MpiLibrary.Check(mpi.CommRank(mpi.CommWorld, &rank), "MPI_Comm_rank");
        MpiLibrary.Check(mpi.CommSize(mpi.CommWorld, &size), "MPI_Comm_size");
        (Rank, Size) = (rank, size);
        (LocalRank, LocalSize) = launch.Size == size ? (launch.LocalRank, launch.LocalSize) : (rank, size);
    }

    /// <summary>Loads MPI and initialises it (once per process; MPI_THREAD_SERIALIZED since backward may run on another thread).</summary>
    public static MpiProcessGroup Initialize(LaunchEnvironment launch)
    {
        var mpi = MpiLibrary.Load();
        int initialized;
        MpiLibrary.Check(mpi.Initialized(&initialized), "MPI_Initialized");
        if (initialized == 0)
        {
            int provided;
            MpiLibrary.Check(mpi.InitThread(null, 0, MpiLibrary.ThreadSerialized, &provided), "MPI_Init_thread");
        }
        return new MpiProcessGroup(mpi, launch);
    }

    public int Rank { get; }
    public int Size { get; }
    public int LocalRank { get; }
    public int LocalSize { get; }

    /// <summary>"Open MPI" or "MPICH" and the library file.</summary>
    public string Describe() => $"{(mpi.IsOpenMpi ? "Open MPI" : "MPICH")} ({mpi.Path})";

    public void AllReduceSum(Tensor tensor) => InPlace(tensor, (address, count, type) =>
        MpiLibrary.Check(mpi.Allreduce(mpi.InPlace, address, count, type, mpi.Sum, mpi.CommWorld), "MPI_Allreduce"));

    public void Broadcast(Tensor tensor, int root = 0) => InPlace(tensor, (address, count, type) =>
        MpiLibrary.Check(mpi.Bcast(address, count, type, root, mpi.CommWorld), "MPI_Bcast"));

    public void Barrier() => MpiLibrary.Check(mpi.Barrier(mpi.CommWorld), "MPI_Barrier");

    public bool AllAgree(bool value)
    {
        var votes = value ? 1 : 0;
        MpiLibrary.Check(mpi.Allreduce(mpi.InPlace, (nint)(&votes), 1, mpi.Int, mpi.Sum, mpi.CommWorld), "MPI_Allreduce");
        return votes == Size;
    }

    public byte[][] AllGatherBytes(byte[] data)
    {
        var lengths = new int[Size];
        var length = data.Length;
        fixed (int* all = lengths)
            MpiLibrary.Check(mpi.Allgather((nint)(&length), 1, mpi.Int, (nint)all, 1, mpi.Int, mpi.CommWorld), "MPI_Allgather");
        var offsets = new int[Size];
        long total = 0;
        for (var r = 0; r < Size; r++)
        {
            offsets[r] = (int)total;
            total += lengths[r];
        }
        if (total > int.MaxValue) throw new InvalidOperationException($"all-gather of {total} bytes: more than 2 GiB in total");
        var gathered = new byte[total];
        fixed (byte* send = data)
        fixed (byte* receive = gathered)
        fixed (int* counts = lengths)
        fixed (int* displacements = offsets)
            MpiLibrary.Check(mpi.Allgatherv((nint)send, length, mpi.Byte, (nint)receive, counts, displacements, mpi.Byte, mpi.CommWorld), "MPI_Allgatherv");
        return Enumerable.Range(0, Size).Select(r => gathered.AsSpan(offsets[r], lengths[r]).ToArray()).ToArray();
    }

    public byte[] BroadcastBytes(byte[] data, int root = 0)
    {
        var length = Rank == root ? data.Length : 0;
        MpiLibrary.Check(mpi.Bcast((nint)(&length), 1, mpi.Int, root, mpi.CommWorld), "MPI_Bcast");
        var buffer = Rank == root ? data : new byte[length];
        fixed (byte* p = buffer)
            MpiLibrary.Check(mpi.Bcast((nint)p, length, mpi.Byte, root, mpi.CommWorld), "MPI_Bcast");
        return buffer;
    }

    public void Abort(int exitCode)
    {
        Console.Error.Flush();
        mpi.Abort(mpi.CommWorld, exitCode);
        Environment.Exit(exitCode); // MPI_Abort does not return; this is for a library that returns anyway
    }

    /// <summary>MPI_Finalize, when MPI is initialised and not yet finalised (the end of a successful run).</summary>
    public void Shutdown()
    {
        int finalized;
        MpiLibrary.Check(mpi.Finalized(&finalized), "MPI_Finalized");
        if (finalized == 0) MpiLibrary.Check(mpi.Finalize(), "MPI_Finalize");
    }

    /// <summary>Runs <paramref name="collective"/> on the tensor's memory in pieces of at most 2^30 elements.</summary>
    private void InPlace(Tensor tensor, Action<nint, int, nint> collective)
    {
        if (tensor.device_type != DeviceType.CPU)
            throw new NotSupportedException($"MPI collectives take CPU tensors (got {tensor.device}); use the NCCL group for CUDA tensors");
        var (type, elementSize) = Datatype(tensor.dtype);
        var work = tensor.is_contiguous() ? tensor : tensor.contiguous();
        try
        {
            var address = TensorMemory.Address(work);
            for (long done = 0, total = work.numel(); done < total; done += MaxCount)
                collective(address + (nint)(done * elementSize), (int)Math.Min(MaxCount, total - done), type);
            if (!ReferenceEquals(work, tensor))
                using (no_grad()) tensor.copy_(work);
        }
        finally
        {
            if (!ReferenceEquals(work, tensor)) work.Dispose();
        }
    }

    private (nint Type, int Size) Datatype(ScalarType type) => type switch
    {
        ScalarType.Float32 => (mpi.Float, 4),
        ScalarType.Float64 => (mpi.Double, 8),
        ScalarType.Int32 => (mpi.Int, 4),
        ScalarType.Int64 => (mpi.LongLong, 8),
        ScalarType.Byte or ScalarType.Bool => (mpi.Byte, 1),
        _ => throw new NotSupportedException($"MPI collectives on {type} tensors are not supported (float32, float64, int32, int64, uint8)"),
    };
}

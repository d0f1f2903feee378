using static TorchSharp.torch;

namespace VimDense.Engine.Distributed;

/// <summary>
/// The processes of one data-parallel run (torch.distributed's process group): every collective must be called by
/// every rank in the same order. Tensor collectives work in place on contiguous CPU tensors (and CUDA tensors for
/// the NCCL group).
/// </summary>
public interface IProcessGroup
{
    /// <summary>This process's index, 0 … <see cref="Size"/> − 1.</summary>
    int Rank { get; }

    /// <summary>Number of processes.</summary>
    int Size { get; }

    /// <summary>This process's index among the processes of its machine.</summary>
    int LocalRank { get; }

    /// <summary>Number of processes on this machine.</summary>
    int LocalSize { get; }

    /// <summary>Replaces <paramref name="tensor"/> on every rank by the element-wise sum over ranks.</summary>
    void AllReduceSum(Tensor tensor);

    /// <summary>Replaces <paramref name="tensor"/> on every rank by <paramref name="root"/>'s.</summary>
    void Broadcast(Tensor tensor, int root = 0);

    /// <summary>Returns when every rank has called it.</summary>
    void Barrier();

    /// <summary>True on every rank when <paramref name="value"/> is true on every rank (a logical AND over ranks).</summary>
    bool AllAgree(bool value);

    /// <summary>Every rank's <paramref name="data"/> (of any length), indexed by rank, on every rank.</summary>
    byte[][] AllGatherBytes(byte[] data);

    /// <summary><paramref name="root"/>'s bytes on every rank.</summary>
    byte[] BroadcastBytes(byte[] data, int root = 0);

    /// <summary>Ends every rank of the run now (after an unhandled error on this one), with <paramref name="exitCode"/>.</summary>
    void Abort(int exitCode);
}

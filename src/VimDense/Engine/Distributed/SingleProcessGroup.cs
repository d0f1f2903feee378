using static TorchSharp.torch;

namespace VimDense.Engine.Distributed;

/// <summary>The group of one process: every collective is the identity.</summary>
public sealed class SingleProcessGroup : IProcessGroup
{
    public static SingleProcessGroup Instance { get; } = new();

    public int Rank => 0;
    public int Size => 1;
    public int LocalRank => 0;
    public int LocalSize => 1;

    public void AllReduceSum(Tensor tensor) { }

    public void Broadcast(Tensor tensor, int root = 0) => CheckRoot(root);

    public void Barrier() { }

    public bool AllAgree(bool value) => value;

    public byte[][] AllGatherBytes(byte[] data) => [data];

    public byte[] BroadcastBytes(byte[] data, int root = 0)
    {
        CheckRoot(root);
        return data;
    }

    public void Abort(int exitCode) => Environment.Exit(exitCode);

    private static void CheckRoot(int root)
    {
        if (root != 0) throw new ArgumentOutOfRangeException(nameof(root), $"root {root} outside a group of one process");
    }
}

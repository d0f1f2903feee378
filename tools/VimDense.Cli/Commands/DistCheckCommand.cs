using System.CommandLine;
using TorchSharp;
using VimDense.Engine.Distributed;
using VimDense.Layers;
using static TorchSharp.torch;

namespace VimDense.Cli.Commands;

/// <summary>
/// `vimdense dist check`, run on every rank (`vimdense launch --nproc 2 -- dist check`): checks each collective of the
/// process group against values every rank can compute alone — allreduce (small, multi-piece, non-contiguous,
/// int64), broadcast from the last rank, barrier, the all-agree vote, byte all-gather, bucketed gradient averaging,
/// and SyncBN against BatchNorm2d on the whole global batch. Prints one line per rank; exit 0 when all pass, 1 otherwise.
/// </summary>
public sealed class DistCheckCommand : ICliCommand
{
    public string? Group => "dist";

    public Command Build()
    {
        var command = new Command("check", "Check the process group's collectives and SyncBN on every rank (run under mpirun / vimdense launch)");
        command.SetAction(_ =>
        {
            var group = ProcessGroups.Current;
            var failures = Run(group);
            var backend = group is MpiProcessGroup mpi ? mpi.Describe() : "one process";
            Console.WriteLine(failures.Count == 0
                ? $"dist check: ok (rank {group.Rank} of {group.Size}, local rank {group.LocalRank} of {group.LocalSize}, {backend})"
                : $"dist check: FAILED on rank {group.Rank} of {group.Size}: {string.Join("; ", failures)}");
            ProcessGroups.Finish();
            return failures.Count == 0 ? 0 : 1;
        });
        return command;
    }

    private static List<string> Run(IProcessGroup group)
    {
        var failures = new List<string>();
        void Expect(bool ok, string what) { if (!ok) failures.Add(what); }
        var (rank, size) = (group.Rank, group.Size);
        var ranksSum = size * (size + 1) / 2.0; // Σ (r + 1)
        using var scope = NewDisposeScope();

        var small = full(1000, rank + 1.0f);
        group.AllReduceSum(small);
        Expect(small.eq(ranksSum).all().item<bool>(), "allreduce float32");

        var wide = arange(3_000_000, dtype: ScalarType.Float64) * (rank + 1);
        group.AllReduceSum(wide);
        Expect(wide.allclose(arange(3_000_000, dtype: ScalarType.Float64) * ranksSum), "allreduce float64 (3M)");

        var strided = full(new long[] { 6, 4 }, rank + 1L, ScalarType.Int64).t();
        group.AllReduceSum(strided);
        Expect(strided.eq((long)ranksSum).all().item<bool>(), "allreduce int64 (non-contiguous)");

        var root = size - 1;
        var broadcast = full(17, (float)rank);
        group.Broadcast(broadcast, root);
        Expect(broadcast.eq(root).all().item<bool>(), "broadcast from the last rank");

        group.Barrier();
        Expect(group.AllAgree(true), "vote: all true");
        Expect(!group.AllAgree(rank != root), "vote: one rank false");

        var gathered = group.AllGatherBytes(Enumerable.Repeat((byte)rank, rank + 1).ToArray());
        Expect(gathered.Length == size && gathered.Select((b, r) => b.Length == r + 1 && b.All(x => x == r)).All(x => x), "all-gather bytes");
        Expect(group.BroadcastBytes([(byte)(7 + rank), 1, 2], root)[0] == 7 + root, "broadcast bytes");

        // Gradient averaging over more than one bucket (1 KiB buckets) and a parameter without a gradient.
        var parameters = new[] { 300L, 5, 700, 1 }.Select(n => nn.Parameter(zeros(n))).ToList<Tensor>();
        for (var i = 0; i < 3; i++) parameters[i].grad = full(parameters[i].shape, rank + 1.0f + i);
        new GradientAverager(group, bucketBytes: 1024).Average(parameters);
        for (var i = 0; i < 3; i++) Expect(parameters[i].grad!.allclose(full(parameters[i].shape, ranksSum / size + i)), $"gradient average {i}");
        Expect(size == 1 || (parameters[3].grad is not null && parameters[3].grad!.eq(0).all().item<bool>()), "gradient average: missing gradient as zeros");

        CheckSyncBatchNorm(group, Expect);
        return failures;
    }

    /// <summary>Each rank holds 2 images of a seeded global batch of 2·W; SyncBN must match BatchNorm2d on all of it.</summary>
    private static void CheckSyncBatchNorm(IProcessGroup group, Action<bool, string> expect)
    {
        var generator = new Generator(7);
        var global = randn(new long[] { 2 * group.Size, 3, 5, 4 }, generator: generator, dtype: ScalarType.Float64) * 3 + 1;
        var upstream = randn(global.shape, generator: generator, dtype: ScalarType.Float64);
        var reference = nn.BatchNorm2d(3, dtype: ScalarType.Float64);
        var referenceInput = global.clone().requires_grad_();
        var referenceOutput = reference.forward(referenceInput);
        (referenceOutput * upstream).sum().backward();

        var sync = new SyncBatchNorm2d(3, group: () => group);
        sync.to(ScalarType.Float64);
        var local = global.narrow(0, 2 * group.Rank, 2).clone().requires_grad_();
        var output = sync.forward(local);
        (output * upstream.narrow(0, 2 * group.Rank, 2)).sum().backward();
        expect(output.allclose(referenceOutput.narrow(0, 2 * group.Rank, 2), rtol: 1e-9, atol: 1e-9), "SyncBN output");
        var weightGrad = sync.Weight.grad!.clone();
        group.AllReduceSum(weightGrad);
        expect(local.grad!.allclose(referenceInput.grad!.narrow(0, 2 * group.Rank, 2), rtol: 1e-9, atol: 1e-9), "SyncBN input gradient");
        expect(weightGrad.allclose(reference.weight!.grad!, rtol: 1e-9, atol: 1e-9), "SyncBN weight gradient");
        expect(sync.RunningMean.allclose(reference.running_mean!, rtol: 1e-9, atol: 1e-12), "SyncBN running mean");
        expect(sync.RunningVar.allclose(reference.running_var!, rtol: 1e-9, atol: 1e-12), "SyncBN running variance");
    }
}

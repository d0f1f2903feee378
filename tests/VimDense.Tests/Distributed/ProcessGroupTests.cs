using VimDense.Datasets;
using VimDense.Datasets.Loading;
using VimDense.Engine.Distributed;
using VimDense.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace VimDense.Tests.Distributed;

/// <summary>The one-process group, the launcher environment, the rank partitions of training and evaluation, and SyncBN in one process.</summary>
public class ProcessGroupTests
{
    [Fact]
    public void Single_process_group_is_the_identity()
    {
        var group = SingleProcessGroup.Instance;
        Assert.Equal((0, 1, 0, 1), (group.Rank, group.Size, group.LocalRank, group.LocalSize));
        using var t = arange(5f);
        group.AllReduceSum(t);
        group.Broadcast(t);
        group.Barrier();
        Assert.Equal([0f, 1, 2, 3, 4], t.data<float>().ToArray());
        Assert.True(group.AllAgree(true));
        Assert.False(group.AllAgree(false));
        Assert.Equal([1, 2], group.AllGatherBytes([1, 2]).Single());
        Assert.Throws<ArgumentOutOfRangeException>(() => group.Broadcast(t, root: 1));
        using var p = nn.Parameter(zeros(3));
        p.grad = ones(3);
        new GradientAverager(group).Average([p]);
        Assert.Equal([1f, 1, 1], p.grad!.data<float>().ToArray());
    }

    [Fact]
    public void Launch_environment_reads_open_mpi_then_mpich_variables()
    {
        var ompi = new Dictionary<string, string> { ["OMPI_COMM_WORLD_RANK"] = "3", ["OMPI_COMM_WORLD_SIZE"] = "8", ["OMPI_COMM_WORLD_LOCAL_RANK"] = "1", ["OMPI_COMM_WORLD_LOCAL_SIZE"] = "4" };
        Assert.Equal(new LaunchEnvironment(3, 8, 1, 4, "Open MPI"), LaunchEnvironment.Detect(k => ompi.GetValueOrDefault(k)));
        var mpich = new Dictionary<string, string> { ["PMI_RANK"] = "1", ["PMI_SIZE"] = "2" };
        Assert.Equal(new LaunchEnvironment(1, 2, 1, 2, "MPICH"), LaunchEnvironment.Detect(k => mpich.GetValueOrDefault(k)));
        var plain = LaunchEnvironment.Detect(_ => null);
        Assert.False(plain.IsDistributed);
        Assert.Equal(1, plain.Size);
    }

    [Theory]
    [InlineData(2, 1)]
    [InlineData(2, 3)]
    [InlineData(3, 2)]
    public void Ranks_of_batch_b_see_exactly_the_samples_of_one_process_of_batch_w_times_b(int world, int batch)
    {
        const int count = 7;
        var single = new DistributedSampler(count, seed: 5, shuffle: true, start: default, rank: 0, worldSize: 1);
        var ranks = Enumerable.Range(0, world).Select(r => new DistributedSampler(count, 5, true, default, r, world)).ToArray();
        for (var step = 0; step < 10; step++) // several epochs, with a global batch crossing epoch boundaries
        {
            var global = Enumerable.Range(0, world * batch).Select(_ => single.Next()).ToList();
            var shares = ranks.SelectMany(r => Enumerable.Range(0, batch).Select(_ => r.Next())).ToList();
            Assert.Equal(global.Order(), shares.Order());
            // Rank r's i-th item is position r + i·W of the global batch; every rank's state is the global one.
            for (var r = 0; r < world; r++)
                Assert.Equal(Enumerable.Range(0, batch).Select(i => global[r + i * world]), shares.Skip(r * batch).Take(batch));
            Assert.All(ranks, r => Assert.Equal(single.State, r.State));
        }
        // Resuming every rank from the shared state continues the same streams.
        var resumed = new DistributedSampler(count, 5, true, ranks[world - 1].State, world - 1, world);
        Assert.Equal(Enumerable.Range(0, 5).Select(_ => ranks[world - 1].Next()), Enumerable.Range(0, 5).Select(_ => resumed.Next()));
    }

    private sealed class Numbers(int count) : IDataset<int>
    {
        public int Count => count;
        public int Get(int index, Random rng) => index;
    }

    [Theory]
    [InlineData(10, 3, 10)]
    [InlineData(10, 3, 7)]
    [InlineData(2, 4, 2)]
    public void Evaluation_shares_cover_the_first_images_once(int count, int world, int limit)
    {
        var items = Enumerable.Range(0, world).SelectMany(r =>
        {
            var share = new StridedDataset<int>(new Numbers(count), r, world, limit);
            return Enumerable.Range(0, share.Count).Select(i => share.Get(i, new Random(0)));
        });
        Assert.Equal(Enumerable.Range(0, Math.Min(count, limit)), items.Order());
    }

    [Fact]
    public void SyncBatchNorm_in_one_process_is_BatchNorm2d()
    {
        manual_seed(3);
        var input = randn(4, 6, 5, 3) * 2 + 0.5;
        var upstream = randn(input.shape);
        var reference = nn.BatchNorm2d(6);
        var sync = new SyncBatchNorm2d(6);
        Assert.Equal(reference.state_dict().Keys.Order(), sync.state_dict().Keys.Order());
        using (no_grad())
        {
            reference.weight!.copy_(rand(6));
            sync.Weight.copy_(reference.weight);
        }
        for (var step = 0; step < 2; step++)
        {
            var (x1, x2) = (input.clone().requires_grad_(), input.clone().requires_grad_());
            var (y1, y2) = (reference.forward(x1), sync.forward(x2));
            (y1 * upstream).sum().backward();
            (y2 * upstream).sum().backward();
            Assert.True(DemoRuns.BitEqual(y1, y2));
            Assert.True(DemoRuns.BitEqual(x1.grad!, x2.grad!));
        }
        Assert.True(DemoRuns.BitEqual(reference.weight!.grad!, sync.Weight.grad!));
        Assert.True(DemoRuns.BitEqual(reference.running_mean!, sync.RunningMean));
        Assert.True(DemoRuns.BitEqual(reference.running_var!, sync.RunningVar));
        Assert.Equal(reference.num_batches_tracked!.item<long>(), sync.NumBatchesTracked.item<long>());
        reference.eval();
        sync.eval();
        Assert.True(DemoRuns.BitEqual(reference.forward(input), sync.forward(input)));
    }

    [Fact]
    public void SyncBatchNorm_refuses_one_value_per_channel_in_training_and_keeps_its_statistics()
    {
        var sync = new SyncBatchNorm2d(3);
        var error = Assert.Throws<ArgumentException>(() => sync.forward(randn(1, 3, 1, 1)));
        Assert.Contains("data.batch_size", error.Message);
        Assert.True(isfinite(sync.RunningVar).all().item<bool>());
        sync.forward(randn(2, 3, 1, 1)).Dispose(); // two values: a variance exists
        sync.eval();
        sync.forward(randn(1, 3, 1, 1)).Dispose(); // evaluation uses the running statistics
    }
}

using System.Diagnostics;
using VimDense.Ops;

namespace VimDense.Tests.Ops;

/// <summary>The bench profiler's bookkeeping: off records nothing; on, nested scopes are exclusive.</summary>
[Collection(nameof(OpProfilerTests))]
public sealed class OpProfilerTests
{
    [Fact]
    public void OffRecordsNothing()
    {
        using (OpProfiler.Scope(OpCategory.Gemm)) OpProfiler.RecordGemm(2, 3, 4);
        OpProfiler.Start();
        var (seconds, gemms) = OpProfiler.Stop();
        Assert.All(seconds.Values, s => Assert.Equal(0.0, s));
        Assert.Empty(gemms);
        Assert.False(OpProfiler.Enabled);
    }

    [Fact]
    public void NestedScopesAreExclusiveAndGemmsAreRecorded()
    {
        OpProfiler.Start();
        var clock = Stopwatch.StartNew();
        using (OpProfiler.Scope(OpCategory.Elementwise))
        {
            Spin();
            using (OpProfiler.Scope(OpCategory.Gemm))
            {
                OpProfiler.RecordGemm(2, 3, 4, batch: 5);
                Spin();
            }
            Spin();
        }
        var wall = clock.Elapsed.TotalSeconds;
        var (seconds, gemms) = OpProfiler.Stop();
        Assert.True(seconds[OpCategory.Elementwise] > 0 && seconds[OpCategory.Gemm] > 0);
        // Exclusive: the outer scope was paused while the inner one ran, so the two never add up past the wall time.
        Assert.True(seconds[OpCategory.Elementwise] + seconds[OpCategory.Gemm] <= wall);
        Assert.Equal(0.0, seconds[OpCategory.Scan]);
        Assert.Equal(new GemmShape(2, 3, 4, 5), Assert.Single(gemms));
        Assert.Equal(2.0 * 2 * 3 * 4 * 5, gemms[0].Flops);
    }

    private static void Spin()
    {
        var start = Stopwatch.GetTimestamp();
        while (Stopwatch.GetTimestamp() == start) { }
    }
}

/// <summary>The profiler is process-wide state: no other test may run a Vim forward while these have it on.</summary>
[CollectionDefinition(nameof(OpProfilerTests), DisableParallelization = true)]
public sealed class OpProfilerCollection;

using VimDense.Engine;
using VimDense.Engine.Logging;
using static TorchSharp.torch;

namespace VimDense.Tests.Engine;

/// <summary>
/// train.retain_freed_memory: once enabled, a block above glibc's largest mmap threshold (32 MiB) comes from the heap,
/// where a free keeps it for the next iteration, instead of a mapping of its own. Enabling is process-wide and stays,
/// which the rest of the test run does not mind (the heap-in-use measures count heap and mapped blocks alike).
/// </summary>
[Collection(AllocatorCollection.Name)]
public sealed class FreedMemoryRetentionTests
{
    private const long BlockBytes = 48L << 20;

    [Fact]
    public void LargeBlocksComeFromTheHeapOnceEnabled()
    {
        Assert.True(FreedMemoryRetention.Enable());   // the project's platform is glibc
        Assert.True(FreedMemoryRetention.IsEnabled);
        var before = HeapInUse.MappedBytes()!.Value;
        using var block = empty(BlockBytes / sizeof(float));
        var mappedForIt = HeapInUse.MappedBytes()!.Value - before;
        Assert.True(mappedForIt < BlockBytes / 2, $"{mappedForIt} bytes mapped for a {BlockBytes}-byte block");
        Assert.True(GlibcMalloc.ReleaseFreePages());
    }

    [Fact]
    public void OnlyTheConfigKeyTurnsItOn()
    {
        Assert.False(new VimDense.Config.TrainConfig().RetainFreedMemory);
        Assert.False(new TrainerOptions { WorkDir = ".", Iterations = 1 }.RetainFreedMemory);
        var config = VimDense.Config.ConfigLoader.Load(Path.Combine(TestPaths.RepoRoot, "configs", "demo", "upernet_vim_tiny_synthetic.json"),
            ["train.retain_freed_memory=true"]);
        Assert.True(VimDense.Experiments.TrainingSetup.TrainerOptions(config, ".", "mIoU").RetainFreedMemory);
    }
}

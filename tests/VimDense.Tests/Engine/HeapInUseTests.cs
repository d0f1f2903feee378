using VimDense.Engine.Logging;
using static TorchSharp.torch;

namespace VimDense.Tests.Engine;

/// <summary>
/// The heap-in-use measure behind `bench train`'s peak heap: it counts live tensors (checked with absolute bounds,
/// since other tests allocate and free beside this one), and its sampler keeps the largest use it saw.
/// </summary>
public sealed class HeapInUseTests
{
    private const long TensorBytes = 256L << 20;

    [Fact]
    public void ALiveTensorIsInUse()
    {
        Assert.True(OperatingSystem.IsLinux());   // the project's platform: glibc's mallinfo2 must be found
        using var tensor = zeros(TensorBytes / sizeof(float));
        var inUse = HeapInUse.Bytes();
        Assert.NotNull(inUse);
        Assert.True(inUse >= TensorBytes, $"{inUse} bytes in use with a {TensorBytes}-byte tensor alive");
    }

    [Fact]
    public void ThePeakSamplerKeepsTheLargestUseItSaw()
    {
        using var sampler = HeapInUse.SamplePeak(TimeSpan.FromMilliseconds(1));
        using (var tensor = ones(TensorBytes / sizeof(float)))
        {
            Thread.Sleep(20);
            Assert.True(sampler.PeakBytes >= TensorBytes);
        }
        Assert.True(sampler.PeakBytes >= TensorBytes);   // after the free, too
    }
}

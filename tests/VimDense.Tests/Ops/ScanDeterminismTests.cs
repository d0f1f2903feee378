using static TorchSharp.torch;

namespace VimDense.Tests.Ops;

/// <summary>The CPU backward sums dB/dC over channels in a fixed order: repeated runs are bit-for-bit equal.</summary>
public class ScanDeterminismTests
{
    [Fact]
    public void BackwardIsBitwiseReproducible()
    {
        // Large enough to take the multi-threaded path (>= 4M state updates).
        var inputs = ScanTestInputs.Random(2, 64, 2100, 16, 2, true, true, true, true, seed: 9);
        var dout = randn(new long[] { 2, 64, 2100 }, generator: new Generator(10));
        var first = ScanRandomTests.RunWithGradients(inputs, dout, reverse: false, softplus: true, native: true);
        var second = ScanRandomTests.RunWithGradients(inputs, dout, reverse: false, softplus: true, native: true);
        foreach (var (name, tensor) in first) Assert.True(tensor.eq(second[name]).all().item<bool>(), $"{name} differs between runs");
    }
}

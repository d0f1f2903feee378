using VimDense.Ops;
using static TorchSharp.torch;

namespace VimDense.Tests.Ops;

/// <summary>Without gradients the ops skip autograd (nothing recorded, nothing kept alive) and give the same values.</summary>
public sealed class InferencePathTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ScanWithoutGradientsRecordsNothingAndMatchesTheAutogradPath(bool reverse)
    {
        var x = ScanTestInputs.Random(2, 6, 37, 16, 1, skip: true, gate: true, bias: true, softplus: true, seed: 5);
        var leaves = x.Leaves();
        using var recorded = SelectiveScan.Apply(leaves.U, leaves.Delta, leaves.A, leaves.B, leaves.C, leaves.D, leaves.Z,
            leaves.DeltaBias, deltaSoftplus: true, reverse);
        Tensor plain;
        using (no_grad())
            plain = SelectiveScan.Apply(leaves.U, leaves.Delta, leaves.A, leaves.B, leaves.C, leaves.D, leaves.Z,
                leaves.DeltaBias, deltaSoftplus: true, reverse);
        Assert.True(recorded.requires_grad);
        Assert.False(plain.requires_grad);
        Assert.True(plain.eq(recorded.detach()).all().item<bool>());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ScanWithAScratchDeltaWritesOverItOnlyWhenNoGradientIsRecorded(bool reverse)
    {
        var x = ScanTestInputs.Random(2, 6, 37, 16, 1, skip: true, gate: true, bias: true, softplus: true, seed: 6);
        Tensor Scan(Tensor delta, bool scratch) => SelectiveScan.Apply(x.U, delta, x.A, x.B, x.C, x.D, x.Z, x.DeltaBias,
            deltaSoftplus: true, reverse, deltaIsScratch: scratch);
        using (no_grad())
        {
            using var expected = Scan(x.Delta, scratch: false);
            using var delta = x.Delta.clone();
            using var inPlace = Scan(delta, scratch: true);
            Assert.Equal(ScanNative.Ptr(delta), ScanNative.Ptr(inPlace));
            Assert.True(inPlace.eq(expected).all().item<bool>());
            Assert.True(delta.eq(expected).all().item<bool>());
        }

        // Recorded for backward: delta is saved, so it stays as it was and the gradients are those of the plain call.
        var leaves = x.Leaves();
        using var kept = leaves.Delta.detach().clone();
        using var recorded = SelectiveScan.Apply(leaves.U, leaves.Delta, leaves.A, leaves.B, leaves.C, leaves.D, leaves.Z,
            leaves.DeltaBias, deltaSoftplus: true, reverse, deltaIsScratch: true);
        Assert.NotEqual(ScanNative.Ptr(leaves.Delta), ScanNative.Ptr(recorded));
        Assert.True(leaves.Delta.eq(kept).all().item<bool>());
        recorded.sum().backward();
        using var scratchGradient = leaves.Delta.grad!.clone();
        var plain = x.Leaves();
        SelectiveScan.Apply(plain.U, plain.Delta, plain.A, plain.B, plain.C, plain.D, plain.Z, plain.DeltaBias,
            deltaSoftplus: true, reverse).sum().backward();
        Assert.True(scratchGradient.eq(plain.Delta.grad!).all().item<bool>());
    }

    [Fact]
    public void ConvWithoutGradientsRecordsNothingAndMatchesTheAutogradPath()
    {
        manual_seed(4);
        using var x = randn(2, 5, 19);
        using var weight = randn(5, 4).requires_grad_(true);
        using var bias = randn(5);
        using var recorded = CausalConv1d.Apply(x, weight, bias, silu: true, reverse: true);
        Tensor plain;
        using (no_grad()) plain = CausalConv1d.Apply(x, weight, bias, silu: true, reverse: true);
        using var untracked = CausalConv1d.Apply(x, weight.detach(), bias, silu: true, reverse: true);
        Assert.True(recorded.requires_grad);
        Assert.False(plain.requires_grad);
        Assert.False(untracked.requires_grad);
        Assert.True(plain.eq(recorded.detach()).all().item<bool>());
        Assert.True(untracked.eq(plain).all().item<bool>());
    }
}

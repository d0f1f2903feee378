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

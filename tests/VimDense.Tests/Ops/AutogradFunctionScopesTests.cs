using VimDense.Ops;
using static TorchSharp.torch;

namespace VimDense.Tests.Ops;

/// <summary>
/// The custom autograd functions free their tensors when autograd is done with them, not when the training step's
/// dispose scope ends: what a chain of native ops leaves in the caller's scope does not grow with its length.
/// </summary>
public sealed class AutogradFunctionScopesTests
{
    [Fact]
    public void AForwardLeavesOnlyItsOutputInTheCallersScope()
    {
        using var scope = NewDisposeScope();
        var (x, weight) = Conv1dInputs();
        var before = scope.DisposablesCount;
        CausalConv1d.Apply(x, weight);
        Assert.Equal(before + 1, scope.DisposablesCount);
    }

    [Fact]
    public void WhatBackwardLeavesBehindDoesNotGrowWithTheNumberOfNativeOps()
    {
        Assert.Equal(HandlesLeftByBackward(chain: 1), HandlesLeftByBackward(chain: 6));
    }

    [Fact]
    public void GradientsThroughTheScopedFunctionsAreUnchanged()
    {
        // The same chain on the plain-TorchSharp reference: what the native backward returns, libtorch received.
        var (x, weight) = Conv1dInputs();
        var native = CausalConv1d.Apply(CausalConv1d.Apply(x, weight), weight).square().sum();
        native.backward();
        var (nativeX, nativeW) = (x.grad!.clone(), weight.grad!.clone());
        x.grad!.zero_();
        weight.grad!.zero_();
        CausalConv1dReference.Apply(CausalConv1dReference.Apply(x, weight), weight).square().sum().backward();
        Assert.True(allclose(nativeX, x.grad!, rtol: 1e-5, atol: 1e-6));
        Assert.True(allclose(nativeW, weight.grad!, rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void ARecomputedBlocksIntermediatesAreFreedWhenItsForwardReturns()
    {
        using var scope = NewDisposeScope();
        using var x = randn(3, 4).requires_grad_(true);
        var intermediates = new List<Tensor>();
        Tensor[] Block(Tensor[] inputs)
        {
            var doubled = inputs[0] * 2;
            intermediates.Add(doubled);
            return [doubled.sin()];
        }
        var y = ActivationRecomputation.Run(Block, [x], drawsRandomNumbers: false, "test")[0];
        Assert.True(intermediates[0].IsInvalid);
        y.sum().backward();
        Assert.Equal(2, intermediates.Count);
        Assert.True(intermediates[1].IsInvalid);   // the recomputation's, too
        Assert.True(allclose(x.grad!, (x * 2).cos() * 2));
    }

    /// <summary>Managed handles a backward through <paramref name="chain"/> causal conv1d calls adds to the caller's scope.</summary>
    private static long HandlesLeftByBackward(int chain)
    {
        using var scope = NewDisposeScope();
        var (x, weight) = Conv1dInputs();
        var y = x;
        for (var i = 0; i < chain; i++) y = CausalConv1d.Apply(y, weight);
        var loss = y.sum();
        var before = scope.DisposablesCount;
        loss.backward();
        return scope.DisposablesCount - before;
    }

    private static (Tensor X, Tensor Weight) Conv1dInputs()
    {
        var generator = new TorchSharp.torch.Generator(3);
        return (randn([2, 4, 16], generator: generator).requires_grad_(true), randn([4, 4], generator: generator).requires_grad_(true));
    }
}

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

    [Fact]
    public void ThisTorchSharpLetsSavedTensorsBeReleased()
    {
        Assert.True(AutogradFunctionScopes.SavedTensors.Supported, "AutogradContext._savedVariables or SavedVariable.reset_data is gone: saved tensors would live until the graph dies");
    }

    [Fact]
    public void RecordedForASingleBackwardTheFunctionsReleaseWhatTheySaved()
    {
        Assert.False(SavedInputOutlivesBackward(singleUse: true), "the conv1d's saved input outlived its backward");
        Assert.True(SavedInputOutlivesBackward(singleUse: false), "outside the scope the saved input should live as long as the graph");
    }

    [Fact]
    public void GradientsOfASingleUseGraphAreUnchanged()
    {
        var (x, weight) = Conv1dInputs();
        Tensor loss;
        using (AutogradFunctionScopes.SingleUseGraphs()) loss = CausalConv1d.Apply(x * 2, weight).square().sum();
        loss.backward();
        var (onceX, onceW) = (x.grad!.clone(), weight.grad!.clone());
        x.grad!.zero_();
        weight.grad!.zero_();
        CausalConv1dReference.Apply(x * 2, weight).square().sum().backward();
        Assert.True(allclose(onceX, x.grad!, rtol: 1e-5, atol: 1e-6));
        Assert.True(allclose(onceW, weight.grad!, rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void RecordedOutsideTheScopeARetainedGraphCanBeBackpropagatedAgain()
    {
        var (x, weight) = Conv1dInputs();
        var loss = CausalConv1d.Apply(x * 2, weight).square().sum();
        loss.backward(retain_graph: true);
        var once = x.grad!.clone();
        loss.backward();
        Assert.True(allclose(x.grad!, once * 2, rtol: 1e-5, atol: 1e-6));
    }

    /// <summary>
    /// Backpropagates a conv1d whose input lives in a managed array (libtorch unpins it when the storage goes) after
    /// every handle to that input is disposed, and says whether the array is still alive while the graph is.
    /// </summary>
    private static bool SavedInputOutlivesBackward(bool singleUse)
    {
        WeakReference array;
        Tensor loss;
        using (singleUse ? AutogradFunctionScopes.SingleUseGraphs() : (IDisposable?)null) (array, loss) = Conv1dOnManagedArray();
        loss.backward();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var alive = array.IsAlive;
        loss.Dispose();
        return alive;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static (WeakReference Array, Tensor Loss) Conv1dOnManagedArray()
    {
        var data = new float[2, 4, 16];
        for (var i = 0; i < data.Length; i++) data[i / 64, i / 16 % 4, i % 16] = 0.01f * i;
        var weight = randn([4, 4]).requires_grad_(true);
        Tensor loss;
        using (var x = from_array(data)) loss = CausalConv1d.Apply(x, weight).square().sum();
        return (new WeakReference(data), loss);
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

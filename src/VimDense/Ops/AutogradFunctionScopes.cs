using static TorchSharp.torch;

namespace VimDense.Ops;

/// <summary>
/// Dispose scopes for the custom autograd functions (scan, conv1d, RoIAlign, recomputation, all-reduce), so that their
/// tensors are freed when autograd is done with them instead of at the end of the training step.
/// Why: TorchSharp 0.107 registers everything in the current dispose scope, and around a training step that is the
/// step's own. In forward, <c>Function.apply</c> keeps an <c>empty_like</c> of every output (to materialise undefined
/// gradients as zeros); in backward, the saved tensors a function unpacks, the incoming gradients, its temporaries
/// and the gradients it returns all get managed handles there. Each handle holds its storage, so every activation
/// a custom function saved stayed alive through the whole backward pass (measured: Cascade Mask R-CNN at 1024²,
/// several GiB of the peak). libtorch copies what it needs: the outputs it wraps in forward and the gradients a
/// backward returns (CSharpNode::apply copies each before the next node runs), so the handles can go early.
/// </summary>
internal static class AutogradFunctionScopes
{
    /// <summary>Handles libtorch has already copied: the gradients the last backward(s) on this thread returned and received.</summary>
    [ThreadStatic] private static List<Tensor>? _handedOver;

    /// <summary>
    /// Calls <paramref name="apply"/> (a Function's apply) in its own scope: only the outputs reach the caller's scope.
    /// The functions turn off materialised gradients, so the output templates freed here are never read.
    /// </summary>
    public static List<Tensor> Apply(Func<List<Tensor>> apply)
    {
        using var scope = NewDisposeScope();
        var outputs = apply();
        scope.MoveToOuter(outputs);
        return outputs;
    }

    /// <summary>
    /// Runs a backward <paramref name="body"/> in its own scope. The gradients it returns outlive the scope only until
    /// libtorch has copied them: the next custom backward on this thread releases them, with the incoming
    /// <paramref name="gradOutputs"/> (the surrounding scope still disposes whatever is left when it ends).
    /// Gradients are not materialised (see <see cref="Apply"/>), so when none of <paramref name="gradOutputs"/> is
    /// defined the body is not run and all <paramref name="inputCount"/> forward arguments get no gradient.
    /// </summary>
    public static List<Tensor> Backward(IReadOnlyList<Tensor> gradOutputs, int inputCount, Func<List<Tensor>> body)
    {
        ReleaseHandedOver();
        if (gradOutputs.All(g => g is null || g.IsInvalid)) return [.. new Tensor[inputCount]];
        List<Tensor> grads;
        using (var scope = NewDisposeScope())
        {
            grads = body();
            scope.MoveToOuter(grads.Where(g => g is not null));
        }
        var handedOver = _handedOver ??= [];
        handedOver.AddRange(grads.Where(g => g is not null));
        handedOver.AddRange(gradOutputs.Where(g => g is not null));
        return grads;
    }

    private static void ReleaseHandedOver()
    {
        if (_handedOver is not { Count: > 0 } handles) return;
        foreach (var handle in handles) handle.Dispose();
        handles.Clear();
    }
}

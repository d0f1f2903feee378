using System.Reflection;
using TorchSharp;
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
/// The tensors a function saved for backward are a second case: libtorch's own nodes drop theirs once they have run
/// (unless the graph is retained), but TorchSharp's CSharpNode has no release_variables, so a custom function's saved
/// tensors lived until the whole graph was destroyed. Graphs recorded inside <see cref="SingleUseGraphs"/> release
/// them as each backward finishes.
/// </summary>
internal static class AutogradFunctionScopes
{
    /// <summary>Handles libtorch has already copied: the gradients the last backward(s) on this thread returned and received.</summary>
    [ThreadStatic] private static List<Tensor>? _handedOver;

    /// <summary>Whether this thread is inside a <see cref="SingleUseGraphs"/> scope.</summary>
    [ThreadStatic] private static bool _singleUse;

    private const string ReleaseKey = "vimdense.release_saved";

    /// <summary>
    /// Declares that the graphs recorded on this thread until disposal are backpropagated once (no retain_graph), as
    /// the trainer's forward passes are: the custom functions recorded meanwhile release their saved tensors as soon
    /// as their backward has run (on whichever thread libtorch runs it), which is what libtorch's own nodes do in that
    /// case. Graphs recorded outside such a scope keep them as long as they live, so a retained graph can be
    /// backpropagated again. A second backward through a released graph fails with libtorch's "backward through
    /// the graph a second time" error.
    /// </summary>
    public static SingleUseScope SingleUseGraphs()
    {
        var previous = _singleUse;
        _singleUse = true;
        return new SingleUseScope(previous);
    }

    /// <summary>Restores the enclosing state when disposed (as <see cref="Layers.Autocast.Scope"/> does).</summary>
    public readonly struct SingleUseScope(bool previous) : IDisposable
    {
        public void Dispose() => _singleUse = previous;
    }

    /// <summary>
    /// <c>ctx.save_for_backward(<paramref name="tensors"/>)</c>, marking the context for release after its backward when
    /// recorded inside <see cref="SingleUseGraphs"/>.
    /// </summary>
    public static void SaveForBackward(autograd.AutogradContext ctx, List<Tensor> tensors)
    {
        ctx.save_for_backward(tensors);
        if (_singleUse) ctx.save_data(ReleaseKey, true);
    }

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
    /// The tensors <paramref name="ctx"/> saved are released afterwards where it was recorded in <see cref="SingleUseGraphs"/>.
    /// </summary>
    public static List<Tensor> Backward(autograd.AutogradContext ctx, IReadOnlyList<Tensor> gradOutputs, int inputCount, Func<List<Tensor>> body)
    {
        ReleaseHandedOver();
        List<Tensor> grads;
        if (gradOutputs.All(g => g is null || g.IsInvalid)) grads = [.. new Tensor[inputCount]];
        else
        {
            using var scope = NewDisposeScope();
            grads = body();
            scope.MoveToOuter(grads.Where(g => g is not null));
        }
        if (ctx.get_data(ReleaseKey) is true) SavedTensors.Release(ctx);
        var handedOver = _handedOver ??= [];
        handedOver.AddRange(grads.Where(g => g is not null));
        handedOver.AddRange(gradOutputs.Where(g => g is { IsInvalid: false }));
        return grads;
    }

    private static void ReleaseHandedOver()
    {
        if (_handedOver is not { Count: > 0 } handles) return;
        foreach (var handle in handles) handle.Dispose();
        handles.Clear();
    }

    /// <summary>
    /// What libtorch's SavedVariable::reset_data does for its own nodes, reached through TorchSharp 0.107's private
    /// list of a context's saved variables (no public API releases them). <see cref="Supported"/> is asserted by a test,
    /// so a TorchSharp that renames the list fails it instead of silently keeping the memory.
    /// </summary>
    internal static class SavedTensors
    {
        private static readonly FieldInfo? List =
            typeof(autograd.AutogradContext).GetField("_savedVariables", BindingFlags.Instance | BindingFlags.NonPublic);

        private static readonly MethodInfo? ResetData = List is { FieldType.IsGenericType: true }
            ? List.FieldType.GetGenericArguments()[0].GetMethod("reset_data", Type.EmptyTypes) : null;

        /// <summary>Whether this TorchSharp has what <see cref="Release"/> needs.</summary>
        public static bool Supported => ResetData is not null;

        public static void Release(autograd.AutogradContext ctx)
        {
            if (ResetData is null || List!.GetValue(ctx) is not System.Collections.IEnumerable saved) return;
            foreach (var variable in saved) ResetData.Invoke(variable, null);
        }
    }
}

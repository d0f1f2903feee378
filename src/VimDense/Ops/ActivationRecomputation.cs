using TorchSharp;
using static TorchSharp.torch;

namespace VimDense.Ops;

/// <summary>
/// Activation recomputation ("gradient checkpointing", PyTorch's reentrant torch.utils.checkpoint, which TorchSharp
/// 0.107 lacks): a block runs forward without recording a graph, so only its inputs stay alive; when backward
/// reaches it, the block runs again from those inputs with gradients on and is backpropagated on the spot, which
/// accumulates its parameters' gradients and returns its inputs' gradients to the outer graph.
/// The random numbers the block drew (drop path, dropout; the CPU generator) are drawn again identically, and the
/// generator is put back afterwards, so in fp32 the gradients and the rest of the run are bit-identical to running
/// the block plainly. Costs about one more forward pass of the block.
/// </summary>
public static class ActivationRecomputation
{
    /// <summary>
    /// <paramref name="block"/>(<paramref name="inputs"/>) with recomputation in backward. Runs the block plainly when no
    /// graph is being recorded or no input requires a gradient (a frozen prefix: a recomputed block's parameters would
    /// get no gradient there, as with PyTorch's reentrant checkpoint).
    /// </summary>
    /// <param name="block">a pure function of its inputs and the module parameters it closes over; it must not dispose its inputs,
    /// and every other tensor it reads must be among them (the trainer frees the forward's tensors before backward)</param>
    /// <param name="inputs">the tensors the block reads (no nulls)</param>
    /// <param name="drawsRandomNumbers">whether the block draws random numbers (training with drop path or dropout): they must be replayed</param>
    /// <param name="what">the config key that asked for recomputation, for the error where it cannot be honoured</param>
    public static Tensor[] Run(Func<Tensor[], Tensor[]> block, Tensor[] inputs, bool drawsRandomNumbers, string what)
    {
        ArgumentNullException.ThrowIfNull(block);
        if (inputs.Any(t => t is null)) throw new ArgumentException("recomputed inputs cannot be null", nameof(inputs));
        if (!is_grad_enabled() || !inputs.Any(t => t.requires_grad)) return block(inputs);
        if (drawsRandomNumbers && inputs.FirstOrDefault(t => t.device_type != DeviceType.CPU) is { } onDevice)
            throw new UserInputException($"{what}: recomputation cannot replay drop path / dropout on {onDevice.device} " +
                "(TorchSharp 0.107 gives no access to the CUDA generator's state); set the drop rates to 0 or turn recomputation off");
        var args = new object[inputs.Length + 1];
        args[0] = new Recipe(block, ReplayState.Capture(drawsRandomNumbers));
        Array.Copy(inputs, 0, args, 1, inputs.Length);
        // The block's intermediates die with the call's scope: left to the caller's (the training step's), they would live
        // through backward and recomputation would save little.
        return AutogradFunctionScopes.Apply(() => RecomputeFunction.apply(args)).ToArray();
    }

    /// <summary>What backward needs besides the inputs: the block and the state it ran under.</summary>
    private sealed record Recipe(Func<Tensor[], Tensor[]> Block, ReplayState State);

    /// <summary>
    /// The thread state a block's forward depends on beyond its inputs, captured at forward time and re-entered for the
    /// recomputation: the CPU generator (drop path, dropout) and the precision scope (<see cref="Layers.Autocast"/>),
    /// so that the recomputed block draws and casts exactly as its forward did (backward runs after the trainer's
    /// autocast scope has closed).
    /// </summary>
    private sealed class ReplayState(Tensor? generatorState, ScalarType? lowType)
    {
        public static ReplayState Capture(bool drawsRandomNumbers) =>
            // Detached from any dispose scope: the caller's scope ends long before backward reads the state.
            new(drawsRandomNumbers ? torch.random.get_rng_state().DetachFromDisposeScope() : null, Layers.Autocast.Active);

        /// <summary>Sets the captured state; disposing the result puts the state of the moment back.</summary>
        public IDisposable Enter() =>
            new Restore(generatorState is null ? null : SwapGenerator(generatorState), Layers.Autocast.Enter(lowType));

        private static Tensor SwapGenerator(Tensor state)
        {
            var now = torch.random.get_rng_state();
            torch.random.set_rng_state(state);
            return now;
        }

        private sealed class Restore(Tensor? generatorState, Layers.Autocast.Scope precision) : IDisposable
        {
            public void Dispose()
            {
                precision.Dispose();
                if (generatorState is null) return;
                torch.random.set_rng_state(generatorState);
                generatorState.Dispose();
            }
        }
    }

    private sealed class RecomputeFunction : autograd.MultiTensorFunction<RecomputeFunction>
    {
        public override string Name => "VimDense.ActivationRecomputation";

        // Runs without a graph (the Function machinery turns recording off), so nothing but the inputs is kept for backward.
        public override List<Tensor> forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var recipe = (Recipe)vars[0];
            var inputs = vars.Skip(1).Cast<Tensor>().ToArray();
            AutogradFunctionScopes.SaveForBackward(ctx, [.. inputs]);
            ctx.save_data("recipe", recipe);
            ctx.save_data("requires_grad", inputs.Select(t => t.requires_grad).ToArray());
            // Outputs backward never reached arrive undefined and are skipped below. (TorchSharp would otherwise
            // build zeros from shape templates it made here, inside the caller's dispose scope, which is gone by then.)
            ctx.set_materialize_grads(false);
            return [.. recipe.Block(inputs)];
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, List<Tensor> gradOutputs) =>
            AutogradFunctionScopes.Backward(ctx, gradOutputs, inputCount: ((bool[])ctx.get_data("requires_grad")).Length + 1, () => Backward(ctx, gradOutputs));

        private static List<Tensor> Backward(autograd.AutogradContext ctx, List<Tensor> gradOutputs)
        {
            var recipe = (Recipe)ctx.get_data("recipe");
            var requiresGrad = (bool[])ctx.get_data("requires_grad");
            var saved = ctx.get_saved_variables();
            var leaves = saved.Select((t, i) => t.detach().requires_grad_(requiresGrad[i])).ToArray();
            Tensor[] outputs;
            using (recipe.State.Enter())
            using (enable_grad())
                outputs = recipe.Block(leaves);
            var differentiable = outputs.Select((o, i) => (Output: o, Grad: gradOutputs[i])).Where(p => p.Output.requires_grad && p.Grad is { IsInvalid: false }).ToList();
            if (differentiable.Count > 0)
                autograd.backward(differentiable.Select(p => p.Output).ToList(), differentiable.Select(p => p.Grad).ToList());
            var grads = new List<Tensor> { null! };   // the recipe slot
            foreach (var leaf in leaves) grads.Add(leaf.grad!);
            return grads;
        }
    }
}

using static TorchSharp.torch;

namespace VimDense.Engine.Distributed;

/// <summary>
/// A differentiable sum over ranks: forward returns every rank's input summed, backward sums the incoming gradients
/// over ranks as well (the gradient of y = Σ_r x_r with respect to this rank's x is Σ_r ∂L_r/∂y). SyncBN sends its
/// per-channel sums through it so that each rank's gradient sees the statistics' gradients of every rank.
/// </summary>
public sealed class AllReduceSum : autograd.SingleTensorFunction<AllReduceSum>
{
    private const string GroupKey = "group";

    public override string Name => "VimDenseAllReduceSum";

    /// <summary>Σ over the ranks of <paramref name="group"/> of <paramref name="input"/> (a new tensor).</summary>
    public static Tensor Apply(Tensor input, IProcessGroup group) => apply(input, group);

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var (input, group) = ((Tensor)vars[0], (IProcessGroup)vars[1]);
        ctx.save_data(GroupKey, group);
        var output = input.contiguous().clone();
        group.AllReduceSum(output);
        return output;
    }

    // Gradients stay materialised (every rank must join the all-reduce, an undefined one is summed as zeros), so the
    // forward keeps TorchSharp's output templates; they are per-channel sums, small.
    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output) =>
        Ops.AutogradFunctionScopes.Backward(ctx, [grad_output], inputCount: 2, () =>
        {
            var group = (IProcessGroup)ctx.get_data(GroupKey);
            var grad = grad_output.contiguous().clone();
            group.AllReduceSum(grad);
            return [grad, null!];
        });
}

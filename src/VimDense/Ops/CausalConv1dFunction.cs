using TorchSharp;
using VimDense.Native;
using static TorchSharp.torch;

namespace VimDense.Ops;

/// <summary>Autograd function over the native causal conv1d. Arguments: x, weight, bias?, silu, reverse.</summary>
internal sealed class CausalConv1dFunction : autograd.SingleTensorFunction<CausalConv1dFunction>
{
    public override string Name => "VimDense.CausalConv1d";

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var (x, weight, bias, weights) = Inputs(vars);
        var (silu, reverse) = ((bool)vars[3], (bool)vars[4]);
        var output = Run(x, weight, bias, silu, reverse);
        AutogradFunctionScopes.SaveForBackward(ctx, [x, weight, bias!]);
        ctx.save_data("silu", silu);
        ctx.save_data("reverse", reverse);
        ctx.save_data("weight_types", new[] { ((Tensor)vars[1]).dtype, (vars[2] as Tensor)?.dtype ?? weights });
        ctx.set_materialize_grads(false);   // see AutogradFunctionScopes
        return output;
    }

    /// <summary>The forward without autograd (inference): nothing is saved, so nothing outlives the call.</summary>
    public static Tensor ForwardOnly(params object[] vars)
    {
        using var scope = torch.NewDisposeScope();
        var (x, weight, bias, _) = Inputs(vars);
        return Run(x, weight, bias, (bool)vars[3], (bool)vars[4]).MoveToOuterDisposeScope();
    }

    private static (Tensor X, Tensor Weight, Tensor? Bias, ScalarType WeightType) Inputs(object[] vars)
    {
        using var timed = OpProfiler.Scope(OpCategory.Layout);
        var x = ScanNative.Prepared((Tensor)vars[0], ((Tensor)vars[0]).dtype);
        var weights = ScanNative.WeightType(x.dtype);
        return (x, ScanNative.Prepared((Tensor)vars[1], weights), ScanNative.PreparedOrNull(vars[2] as Tensor, weights), weights);
    }

    private static Tensor Run(Tensor x, Tensor weight, Tensor? bias, bool silu, bool reverse)
    {
        Tensor output;
        using (OpProfiler.Scope(OpCategory.Allocation)) output = torch.empty_like(x);
        var shape = Shape(x, weight, silu, reverse);
        unsafe
        {
            using var timed = OpProfiler.Scope(OpCategory.Conv1d);
            VdNative.Check(ScanNative.ConvForward(&shape, ScanNative.Ptr(x), ScanNative.Ptr(weight), ScanNative.Ptr(bias),
                ScanNative.Ptr(output), IntPtr.Zero), "causal_conv1d");
        }
        return output;
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput) =>
        AutogradFunctionScopes.Backward(ctx, [gradOutput], inputCount: 5, () => Backward(ctx, gradOutput));

    private static List<Tensor> Backward(autograd.AutogradContext ctx, Tensor gradOutput)
    {
        var saved = ctx.get_saved_variables();
        var (x, weight, bias) = (saved[0], saved[1], saved[2]);
        var weightTypes = (ScalarType[])ctx.get_data("weight_types");
        Tensor dout, dx, dweight;
        Tensor? dbias;
        using (OpProfiler.Scope(OpCategory.Layout)) dout = ScanNative.Prepared(gradOutput, x.dtype);
        using (OpProfiler.Scope(OpCategory.Allocation))
        {
            dx = torch.empty_like(x);
            dweight = torch.empty_like(weight);
            dbias = bias is null ? null : torch.empty_like(bias);
        }
        var shape = Shape(x, weight, (bool)ctx.get_data("silu"), (bool)ctx.get_data("reverse"));
        unsafe
        {
            using var timed = OpProfiler.Scope(OpCategory.Conv1d);
            VdNative.Check(ScanNative.ConvBackward(&shape, ScanNative.Ptr(x), ScanNative.Ptr(weight), ScanNative.Ptr(bias),
                ScanNative.Ptr(dout), ScanNative.Ptr(dx), ScanNative.Ptr(dweight), ScanNative.Ptr(dbias), IntPtr.Zero),
                "causal_conv1d backward");
        }
        GC.KeepAlive(dout);
        return [dx, dweight.to(weightTypes[0]), dbias?.to(weightTypes[1])!, null!, null!];
    }

    private static ScanNative.Conv1dShape Shape(Tensor x, Tensor weight, bool silu, bool reverse) => new()
    {
        Batch = x.shape[0], Dim = x.shape[1], Length = x.shape[2], Width = weight.shape[1],
        XStrideBatch = x.stride(0), XStrideDim = x.stride(1),
        DType = ScanNative.DTypeCode(x.dtype), Silu = silu ? 1 : 0, Reverse = reverse ? 1 : 0,
        Device = ScanNative.DeviceCode(x),
    };
}

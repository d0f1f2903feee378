using TorchSharp;
using VimDense.Native;
using static TorchSharp.torch;

namespace VimDense.Ops;

/// <summary>
/// Autograd function over the native selective scan. Arguments (validated by <see cref="SelectiveScan"/>):
/// u, delta, A, B (4-D), C (4-D), D?, z?, deltaBias?, deltaSoftplus, reverse. Saves the inputs and, on CPU, the
/// states at chunk starts; the backward recomputes all other states chunk by chunk.
/// </summary>
internal sealed class SelectiveScanFunction : autograd.SingleTensorFunction<SelectiveScanFunction>
{
    public override string Name => "VimDense.SelectiveScan";

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var (u, delta, a, b, c, d, z, bias) = Inputs(vars);
        var softplus = (bool)vars[8];
        var reverse = (bool)vars[9];
        var (output, checkpoints) = Run(u, delta, a, b, c, d, z, bias, softplus, reverse, keepCheckpoints: true);
        AutogradFunctionScopes.SaveForBackward(ctx, [u, delta, a, b, c, d!, z!, bias!, checkpoints!]);
        ctx.save_data("softplus", softplus);
        ctx.save_data("reverse", reverse);
        ctx.save_data("weight_types", new[] { ((Tensor)vars[2]).dtype, (vars[5] as Tensor)?.dtype ?? u.dtype,
                                               (vars[7] as Tensor)?.dtype ?? u.dtype });
        ctx.set_materialize_grads(false);   // see AutogradFunctionScopes
        return output;
    }

    /// <summary>
    /// The forward without autograd (inference): nothing is saved, so nothing outlives the call. overDelta: the
    /// output goes into the (prepared: contiguous, u's dtype, so laid out as u) delta, which the kernels allow.
    /// </summary>
    public static Tensor ForwardOnly(object[] vars, bool overDelta = false)
    {
        using var scope = torch.NewDisposeScope();
        var (u, delta, a, b, c, d, z, bias) = Inputs(vars);
        var (output, _) = Run(u, delta, a, b, c, d, z, bias, (bool)vars[8], (bool)vars[9], keepCheckpoints: false, overDelta);
        return output.MoveToOuterDisposeScope();
    }

    private static (Tensor Output, Tensor? Checkpoints) Run(Tensor u, Tensor delta, Tensor a, Tensor b, Tensor c,
        Tensor? d, Tensor? z, Tensor? bias, bool softplus, bool reverse, bool keepCheckpoints, bool overDelta = false)
    {
        var shape = Shape(u, b, softplus, reverse);
        Tensor output;
        Tensor? checkpoints = null;
        unsafe
        {
            using (OpProfiler.Scope(OpCategory.Allocation))
            {
                output = overDelta ? delta.alias() : torch.empty_like(u);
                // States at chunk starts (CPU path; dim*length/64*dstate elements) spare the backward a recompute pass.
                var bytes = keepCheckpoints ? ScanNative.ScanCheckpointBytes(&shape) : 0;
                if (bytes > 0) checkpoints = torch.empty(bytes / u.element_size(), dtype: u.dtype, device: u.device);
            }
            using var timed = OpProfiler.Scope(OpCategory.Scan);
            VdNative.Check(ScanNative.ScanForward(&shape, ScanNative.Ptr(u), ScanNative.Ptr(delta), ScanNative.Ptr(a),
                ScanNative.Ptr(b), ScanNative.Ptr(c), ScanNative.Ptr(d), ScanNative.Ptr(z), ScanNative.Ptr(bias),
                ScanNative.Ptr(output), ScanNative.Ptr(checkpoints), IntPtr.Zero), "selective_scan");
        }
        return (output, checkpoints);
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput) =>
        AutogradFunctionScopes.Backward(ctx, [gradOutput], inputCount: 10, () => Backward(ctx, gradOutput));

    private static List<Tensor> Backward(autograd.AutogradContext ctx, Tensor gradOutput)
    {
        var saved = ctx.get_saved_variables();
        var (u, delta, a, b, c, d, z, bias) = (saved[0], saved[1], saved[2], saved[3], saved[4], saved[5], saved[6], saved[7]);
        var checkpoints = saved[8];
        var softplus = (bool)ctx.get_data("softplus");
        var reverse = (bool)ctx.get_data("reverse");
        var weightTypes = (ScalarType[])ctx.get_data("weight_types");
        Tensor dout;
        using (OpProfiler.Scope(OpCategory.Layout)) dout = ScanNative.Prepared(gradOutput, u.dtype);
        Tensor du, ddelta, dA, dB, dC;
        Tensor? dD, dz, dBias;
        using (OpProfiler.Scope(OpCategory.Allocation))
        {
            (du, ddelta, dA, dB, dC) = (torch.empty_like(u), torch.empty_like(u), torch.empty_like(a), torch.empty_like(b), torch.empty_like(c));
            dD = d is null ? null : torch.empty_like(d);
            dz = z is null ? null : torch.empty_like(z);
            dBias = bias is null ? null : torch.empty_like(bias);
        }
        var shape = Shape(u, b, softplus, reverse);
        unsafe
        {
            using var timed = OpProfiler.Scope(OpCategory.Scan);
            VdNative.Check(ScanNative.ScanBackward(&shape, ScanNative.Ptr(u), ScanNative.Ptr(delta), ScanNative.Ptr(a),
                ScanNative.Ptr(b), ScanNative.Ptr(c), ScanNative.Ptr(d), ScanNative.Ptr(z), ScanNative.Ptr(bias),
                ScanNative.Ptr(dout), ScanNative.Ptr(du), ScanNative.Ptr(ddelta), ScanNative.Ptr(dA), ScanNative.Ptr(dB),
                ScanNative.Ptr(dC), ScanNative.Ptr(dD), ScanNative.Ptr(dz), ScanNative.Ptr(dBias), ScanNative.Ptr(checkpoints),
                IntPtr.Zero),
                "selective_scan backward");
        }
        GC.KeepAlive(dout);
        return [du, ddelta, dA.to(weightTypes[0]), dB, dC, dD?.to(weightTypes[1])!, dz!, dBias?.to(weightTypes[2])!, null!, null!];
    }

    private static (Tensor u, Tensor delta, Tensor a, Tensor b, Tensor c, Tensor? d, Tensor? z, Tensor? bias) Inputs(object[] vars)
    {
        using var timed = OpProfiler.Scope(OpCategory.Layout);
        var u = (Tensor)vars[0];
        var type = u.dtype;
        var weights = ScanNative.WeightType(type);
        return (ScanNative.Prepared(u, type), ScanNative.Prepared((Tensor)vars[1], type), ScanNative.Prepared((Tensor)vars[2], weights),
                ScanNative.Prepared((Tensor)vars[3], type), ScanNative.Prepared((Tensor)vars[4], type),
                ScanNative.PreparedOrNull(vars[5] as Tensor, weights), ScanNative.PreparedOrNull(vars[6] as Tensor, type),
                ScanNative.PreparedOrNull(vars[7] as Tensor, weights));
    }

    private static ScanNative.ScanShape Shape(Tensor u, Tensor b, bool softplus, bool reverse) => new()
    {
        Batch = u.shape[0], Dim = u.shape[1], Length = u.shape[2], DState = b.shape[2], Groups = b.shape[1],
        XStrideBatch = u.stride(0), XStrideDim = u.stride(1),
        BcStrideBatch = b.stride(0), BcStrideGroup = b.stride(1), BcStrideState = b.stride(2),
        DType = ScanNative.DTypeCode(u.dtype), DeltaSoftplus = softplus ? 1 : 0, Reverse = reverse ? 1 : 0,
        Device = ScanNative.DeviceCode(u),
    };
}

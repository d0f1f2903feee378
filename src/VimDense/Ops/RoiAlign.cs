using TorchSharp;
using VimDense.Native;
using static TorchSharp.torch;

namespace VimDense.Ops;

/// <summary>
/// RoIAlign (torchvision semantics; detectron2's ROIAlignV2 with <c>aligned = true</c>) on the native
/// kernels, differentiable with respect to the feature map.
/// </summary>
public static class RoiAlign
{
    /// <summary>
    /// Pools each RoI of <paramref name="rois"/> (K, 5) = (batch index, x1, y1, x2, y2) in image
    /// coordinates from <paramref name="input"/> (N, C, H, W) into (K, C, outH, outW).
    /// </summary>
    /// <param name="spatialScale">feature pixels per image pixel (1 / stride)</param>
    /// <param name="samplingRatio">samples per bin and axis; 0 = adaptive ceil(roi size / output size)</param>
    /// <param name="aligned">shift by half a pixel so that feature index i covers image coordinate (i + 0.5) / scale</param>
    public static Tensor Apply(Tensor input, Tensor rois, int outH, int outW, double spatialScale,
        int samplingRatio = 0, bool aligned = true)
    {
        Validate(input, rois, outH, outW, spatialScale);
        NativeDevices.Require("roi_align", ("input", input), ("rois", rois));
        return AutogradFunctionScopes.Apply(() => RoiAlignFunction.apply(input, rois, outH, outW, spatialScale, samplingRatio, aligned))[0];
    }

    private static void Validate(Tensor input, Tensor rois, int outH, int outW, double spatialScale)
    {
        if (input.dim() != 4 || input.shape.Skip(1).Any(s => s == 0) || input.shape[0] == 0)
            throw new ArgumentException($"input must be a non-empty (N, C, H, W) tensor, got shape [{string.Join(", ", input.shape)}]", nameof(input));
        if (DetectionNative.DTypeCode(input.dtype) is < 0 or 3)
            throw new ArgumentException($"input must be float32, float64 or float16, got {input.dtype}", nameof(input));
        if (rois.dim() != 2 || rois.shape[1] != 5)
            throw new ArgumentException($"rois must be (K, 5) = (batch index, x1, y1, x2, y2), got shape [{string.Join(", ", rois.shape)}]", nameof(rois));
        if (!rois.is_floating_point())
            throw new ArgumentException($"rois must be floating point, got {rois.dtype}", nameof(rois));
        if (rois.device_type != input.device_type || rois.device_index != input.device_index)
            throw new ArgumentException($"rois are on {rois.device}, input on {input.device}", nameof(rois));
        if (outH < 1) throw new ArgumentException($"outH must be >= 1, got {outH}", nameof(outH));
        if (outW < 1) throw new ArgumentException($"outW must be >= 1, got {outW}", nameof(outW));
        if (!(spatialScale > 0) || double.IsInfinity(spatialScale))
            throw new ArgumentException($"spatialScale must be positive and finite, got {spatialScale}", "spatialScale");
    }

    /// <summary>The C struct describing one call.</summary>
    internal static DetectionNative.RoiAlignShape Shape(long[] inputShape, long numRois, int outH, int outW,
        double spatialScale, int samplingRatio, bool aligned, ScalarType dtype, int device) => new()
    {
        Batch = inputShape[0], Channels = inputShape[1], Height = inputShape[2], Width = inputShape[3],
        NumRois = numRois, PooledHeight = outH, PooledWidth = outW, SpatialScale = spatialScale,
        SamplingRatio = samplingRatio, Aligned = aligned ? 1 : 0, DType = DetectionNative.DTypeCode(dtype), Device = device,
    };

    /// <summary>The autograd node: forward and backward both call the native library.</summary>
    private sealed class RoiAlignFunction : autograd.MultiTensorFunction<RoiAlignFunction>
    {
        public override string Name => "RoiAlign";

        public override List<Tensor> forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var input = ((Tensor)vars[0]).contiguous();
            // The kernels read RoIs in the feature dtype, as torchvision requires.
            var rois = ((Tensor)vars[1]).detach().to(input.dtype).contiguous();
            int outH = (int)vars[2], outW = (int)vars[3], samplingRatio = (int)vars[5];
            double spatialScale = (double)vars[4];
            bool aligned = (bool)vars[6];
            var shape = Shape(input.shape, rois.shape[0], outH, outW, spatialScale, samplingRatio, aligned,
                input.dtype, DetectionNative.DeviceCode(input));
            var output = empty([rois.shape[0], input.shape[1], outH, outW], input.dtype, input.device);
            VdNative.Check(DetectionNative.RoiAlignForward(shape, DetectionNative.DataPointer(input),
                DetectionNative.DataPointer(rois), DetectionNative.DataPointer(output), IntPtr.Zero), "roi_align");
            AutogradFunctionScopes.SaveForBackward(ctx, [rois]);
            ctx.save_data("shape", shape);
            ctx.set_materialize_grads(false);   // see AutogradFunctionScopes
            return [output];
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, List<Tensor> gradOutputs) =>
            AutogradFunctionScopes.Backward(ctx, gradOutputs, inputCount: 7, () => Backward(ctx, gradOutputs[0]));

        private static List<Tensor> Backward(autograd.AutogradContext ctx, Tensor grad)
        {
            var rois = ctx.get_saved_variables()[0];
            var shape = (DetectionNative.RoiAlignShape)ctx.get_data("shape");
            var gradOutput = grad.to(rois.dtype).contiguous();
            var gradInput = empty([shape.Batch, shape.Channels, shape.Height, shape.Width], rois.dtype, rois.device);
            VdNative.Check(DetectionNative.RoiAlignBackward(shape, DetectionNative.DataPointer(gradOutput),
                DetectionNative.DataPointer(rois), DetectionNative.DataPointer(gradInput), IntPtr.Zero), "roi_align backward");
            // One slot per forward argument; only the feature map gets a gradient.
            return [gradInput, null!, null!, null!, null!, null!, null!];
        }
    }
}

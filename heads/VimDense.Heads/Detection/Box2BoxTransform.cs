using TorchSharp;
using static TorchSharp.torch;

namespace VimDense.Heads.Detection;

/// <summary>
/// detectron2's box coder (reference/dense_prediction.md §7.3): deltas (dx, dy, dw, dh) scaled by
/// weights (wx, wy, ww, wh), relative to the centre and size of a reference box. Decoding clamps dw/dh
/// from above only, at ln(1000/16), so that exp() cannot blow up early in training.
/// </summary>
public sealed class Box2BoxTransform
{
    /// <summary>ln(1000 / 16): the largest log-scale change a decoded box may get.</summary>
    public static readonly double DefaultScaleClamp = Math.Log(1000.0 / 16);

    public Box2BoxTransform(double wx, double wy, double ww, double wh, double? scaleClamp = null)
    {
        Weights = (wx, wy, ww, wh);
        ScaleClamp = scaleClamp ?? DefaultScaleClamp;
    }

    public (double X, double Y, double W, double H) Weights { get; }
    public double ScaleClamp { get; }

    /// <summary>Deltas (N, 4) that turn <paramref name="sources"/> (N, 4) into <paramref name="targets"/> (N, 4).</summary>
    public Tensor GetDeltas(Tensor sources, Tensor targets)
    {
        using var scope = NewDisposeScope();
        var (sx, sy, sw, sh) = CentreSize(sources);
        var (tx, ty, tw, th) = CentreSize(targets);
        var deltas = stack([
            Weights.X * (tx - sx) / sw,
            Weights.Y * (ty - sy) / sh,
            Weights.W * log(tw / sw),
            Weights.H * log(th / sh),
        ], 1);
        return deltas.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Boxes (N, 4k) from deltas (N, 4k) applied to reference boxes (N, 4); k > 1 for class-specific
    /// regression (every 4 columns one class). Computed in float32 (or float64 if the deltas are).
    /// </summary>
    public Tensor ApplyDeltas(Tensor deltas, Tensor boxes)
    {
        using var scope = NewDisposeScope();
        var dtype = deltas.dtype == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32;
        deltas = deltas.to(dtype);
        var (cx, cy, w, h) = CentreSize(boxes.to(dtype));
        var dx = deltas[.., TensorIndex.Slice(0, null, 4)] / Weights.X;
        var dy = deltas[.., TensorIndex.Slice(1, null, 4)] / Weights.Y;
        var dw = (deltas[.., TensorIndex.Slice(2, null, 4)] / Weights.W).clamp_max(ScaleClamp);
        var dh = (deltas[.., TensorIndex.Slice(3, null, 4)] / Weights.H).clamp_max(ScaleClamp);
        var predCx = dx * w.unsqueeze(1) + cx.unsqueeze(1);
        var predCy = dy * h.unsqueeze(1) + cy.unsqueeze(1);
        var predW = exp(dw) * w.unsqueeze(1);
        var predH = exp(dh) * h.unsqueeze(1);
        var x1 = predCx - 0.5 * predW;
        var y1 = predCy - 0.5 * predH;
        var x2 = predCx + 0.5 * predW;
        var y2 = predCy + 0.5 * predH;
        // Interleave back to (x1, y1, x2, y2) per class.
        var result = stack([x1, y1, x2, y2], 2).reshape(deltas.shape);
        return result.MoveToOuterDisposeScope();
    }

    private static (Tensor Cx, Tensor Cy, Tensor W, Tensor H) CentreSize(Tensor boxes)
    {
        var w = boxes[.., 2] - boxes[.., 0];
        var h = boxes[.., 3] - boxes[.., 1];
        return (boxes[.., 0] + 0.5 * w, boxes[.., 1] + 0.5 * h, w, h);
    }
}

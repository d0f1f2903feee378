using TorchSharp;
using static TorchSharp.torch;

namespace VimDense.Heads.Detection;

/// <summary>Operations on (N, 4) x1, y1, x2, y2 box tensors (detectron2 Boxes semantics: no +1 in sizes).</summary>
public static class BoxOps
{
    /// <summary>(x2 − x1)(y2 − y1) per box.</summary>
    public static Tensor Area(Tensor boxes) => (boxes[.., 2] - boxes[.., 0]) * (boxes[.., 3] - boxes[.., 1]);

    /// <summary>IoU of every box of <paramref name="a"/> (N) with every box of <paramref name="b"/> (M): (N, M); 0 where the union is empty.</summary>
    public static Tensor PairwiseIou(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        var topLeft = maximum(a[.., ..2].unsqueeze(1), b[.., ..2].unsqueeze(0));
        var bottomRight = minimum(a[.., 2..].unsqueeze(1), b[.., 2..].unsqueeze(0));
        var size = (bottomRight - topLeft).clamp_min(0);
        var inter = size[.., .., 0] * size[.., .., 1];
        var union = Area(a).unsqueeze(1) + Area(b).unsqueeze(0) - inter;
        // detectron2 pairwise_iou: boxes without overlap get 0, also when both are empty.
        var iou = where(inter > 0, inter / union, zeros_like(inter));
        return iou.MoveToOuterDisposeScope();
    }

    /// <summary>Boxes clipped to [0, width] × [0, height].</summary>
    public static Tensor Clip(Tensor boxes, long height, long width)
    {
        using var scope = NewDisposeScope();
        var x = boxes[.., TensorIndex.Slice(0, null, 2)].clamp(0, width);
        var y = boxes[.., TensorIndex.Slice(1, null, 2)].clamp(0, height);
        return stack([x[.., 0], y[.., 0], x[.., 1], y[.., 1]], 1).MoveToOuterDisposeScope();
    }

    /// <summary>Mask (N) of boxes whose width and height both exceed <paramref name="threshold"/>.</summary>
    public static Tensor NonEmpty(Tensor boxes, double threshold = 0.0) =>
        ((boxes[.., 2] - boxes[.., 0]) > threshold).logical_and((boxes[.., 3] - boxes[.., 1]) > threshold);
}

using TorchSharp;
using static TorchSharp.torch;

namespace VimDense.Heads.Segmentation;

/// <summary>
/// mmseg slide inference: windows of crop×crop every stride pixels; the last row/column is shifted back to end at
/// the border (never padded; an image smaller than the crop is one window). Each window's logits (at crop size)
/// are summed into an accumulator and divided by the coverage count.
/// </summary>
public static class SlidingWindow
{
    /// <summary>Window boxes (y1, x1, y2, x2) for an H×W image, in mmseg's order.</summary>
    public static IReadOnlyList<(long Y1, long X1, long Y2, long X2)> Windows(long height, long width, long crop, long stride)
    {
        var rows = Math.Max(height - crop + stride - 1, 0) / stride + 1;
        var cols = Math.Max(width - crop + stride - 1, 0) / stride + 1;
        var boxes = new List<(long, long, long, long)>();
        for (var i = 0L; i < rows; i++)
            for (var j = 0L; j < cols; j++)
            {
                var y2 = Math.Min(i * stride + crop, height);
                var x2 = Math.Min(j * stride + crop, width);
                boxes.Add((Math.Max(y2 - crop, 0), Math.Max(x2 - crop, 0), y2, x2));
            }
        return boxes;
    }

    public static Tensor Infer(nn.Module<Tensor, Tensor> model, Tensor image, long crop, long stride, int numClasses)
    {
        var (b, h, w) = (image.shape[0], image.shape[2], image.shape[3]);
        var sum = zeros(b, numClasses, h, w, dtype: image.dtype, device: image.device);
        var count = zeros(b, 1, h, w, dtype: image.dtype, device: image.device);
        foreach (var (y1, x1, y2, x2) in Windows(h, w, crop, stride))
        {
            using var scope = NewDisposeScope();
            var logits = model.call(image[.., .., TensorIndex.Slice(y1, y2), TensorIndex.Slice(x1, x2)]);
            sum[.., .., TensorIndex.Slice(y1, y2), TensorIndex.Slice(x1, x2)].add_(logits);
            count[.., .., TensorIndex.Slice(y1, y2), TensorIndex.Slice(x1, x2)].add_(1);
        }
        return sum.div_(count);
    }
}

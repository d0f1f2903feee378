using TorchSharp;
using VimDense.Ops;
using VimDense.Structures;
using static TorchSharp.torch;

namespace VimDense.Heads.Detection;

/// <summary>Bitmap mask targets for training and mask pasting for inference (detectron2 semantics).</summary>
public static class MaskOps
{
    /// <summary>
    /// Training targets (R, S, S) in {0, 1} from full-image bitmaps <paramref name="gtMasks"/> (G, H, W): bitmap
    /// <paramref name="gtIndex"/>[r] inside box r, as <see cref="BitMasks.CropAndResize"/> (detectron2's
    /// BitMasks.crop_and_resize). The wrapper shares the tensor: the caller keeps owning it.
    /// </summary>
    public static Tensor CropTargets(Tensor gtMasks, Tensor gtIndex, Tensor boxes, int size) =>
        new BitMasks(gtMasks).CropAndResize(gtIndex, boxes, size);

    /// <summary>
    /// Pastes mask probabilities (D, M, M) into (D, H, W) bool images: each mask is stretched over its box
    /// with bilinear sampling at pixel centres (grid_sample, align_corners = false) and thresholded.
    /// </summary>
    public static Tensor Paste(Tensor probabilities, Tensor boxes, long height, long width, double threshold = 0.5)
    {
        var result = zeros([probabilities.shape[0], height, width], ScalarType.Bool, probabilities.device);
        if (probabilities.shape[0] == 0) return result;
        var b = boxes.to(ScalarType.Float64).cpu().data<double>().ToArray();
        for (var i = 0; i < probabilities.shape[0]; i++)
        {
            using var scope = NewDisposeScope();
            double x0 = b[i * 4], y0 = b[i * 4 + 1], x1 = b[i * 4 + 2], y1 = b[i * 4 + 3];
            if (!(x1 > x0) || !(y1 > y0)) continue;
            // Only the box's neighbourhood can be non-zero (one pixel of margin as detectron2).
            long left = Math.Max((long)Math.Floor(x0) - 1, 0), top = Math.Max((long)Math.Floor(y0) - 1, 0);
            long right = Math.Min((long)Math.Ceiling(x1) + 1, width), bottom = Math.Min((long)Math.Ceiling(y1) + 1, height);
            if (right <= left || bottom <= top) continue;
            var gx = (arange(left, right, dtype: ScalarType.Float32, device: probabilities.device) + 0.5 - x0) / (x1 - x0) * 2 - 1;
            var gy = (arange(top, bottom, dtype: ScalarType.Float32, device: probabilities.device) + 0.5 - y0) / (y1 - y0) * 2 - 1;
            var grid = stack([gx.unsqueeze(0).expand(gy.shape[0], -1), gy.unsqueeze(1).expand(-1, gx.shape[0])], 2).unsqueeze(0);
            var sampled = nn.functional.grid_sample(probabilities[i].to(ScalarType.Float32).unsqueeze(0).unsqueeze(0), grid,
                align_corners: false);
            result[i, TensorIndex.Slice(top, bottom), TensorIndex.Slice(left, right)] = sampled[0, 0].ge(threshold);
        }
        return result;
    }
}

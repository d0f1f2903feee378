using TorchSharp;
using VimDense.Ops;
using static TorchSharp.torch;

namespace VimDense.Heads.Detection;

/// <summary>Mask targets for training and mask pasting for inference (detectron2 semantics).</summary>
public static class MaskOps
{
    /// <summary>
    /// Training targets (R, S, S) in {0, 1}: the ground-truth bitmap <paramref name="gtIndex"/>[r] of
    /// <paramref name="gtMasks"/> (G, H, W) cropped to box r and resampled with RoIAlign (aligned, 1 sample
    /// rule as in BitMasks.crop_and_resize), then thresholded at 0.5.
    /// </summary>
    public static Tensor CropTargets(Tensor gtMasks, Tensor gtIndex, Tensor boxes, int size)
    {
        using var scope = NewDisposeScope();
        if (boxes.shape[0] == 0) return zeros([0, size, size], ScalarType.Float32, boxes.device).MoveToOuterDisposeScope();
        var masks = gtMasks.ne(0).to(ScalarType.Float32).unsqueeze(1);
        var rois = cat([gtIndex.to(ScalarType.Float32).unsqueeze(1), boxes.to(ScalarType.Float32)], 1);
        var crops = RoiAlign.Apply(masks, rois, size, size, 1.0, 0, aligned: true).squeeze(1);
        return crops.ge(0.5).to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

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

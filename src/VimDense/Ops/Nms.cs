using VimDense.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace VimDense.Ops;

/// <summary>Non-maximum suppression (torchvision semantics) on the native kernels.</summary>
public static class Nms
{
    /// <summary>
    /// Indices (int64, on the boxes' device) of the boxes kept by greedy NMS, in order of decreasing
    /// score (equal scores in input order): a box is dropped when its IoU with a kept, higher-scoring box
    /// is strictly greater than <paramref name="iouThreshold"/>.
    /// </summary>
    /// <param name="boxes">(N, 4) x1, y1, x2, y2</param>
    /// <param name="scores">(N)</param>
    public static Tensor Apply(Tensor boxes, Tensor scores, double iouThreshold)
    {
        ValidateBoxesAndScores(boxes, scores);
        if (double.IsNaN(iouThreshold)) throw new ArgumentException("iouThreshold is NaN", nameof(iouThreshold));
        NativeDevices.Require("nms", ("boxes", boxes), ("scores", scores));
        var device = boxes.device;
        long count = boxes.shape[0];
        if (count == 0) return empty(0, ScalarType.Int64, device);
        // CPU kernels take float32/float64; the CUDA kernel float32.
        var dtype = boxes.dtype == ScalarType.Float64 && boxes.device_type == DeviceType.CPU ? ScalarType.Float64 : ScalarType.Float32;
        using var b = boxes.detach().to(dtype).contiguous();
        using var s = scores.detach().to(dtype).contiguous();
        var keep = new long[count];
        long kept;
        unsafe
        {
            fixed (long* keepPtr = keep)
            {
                VdNative.Check(DetectionNative.Nms(DetectionNative.DTypeCode(dtype), DetectionNative.DeviceCode(b),
                    DetectionNative.DataPointer(b), DetectionNative.DataPointer(s), count, iouThreshold, keepPtr, out kept,
                    IntPtr.Zero), "nms");
            }
        }
        return tensor(keep.AsSpan(0, (int)kept).ToArray(), ScalarType.Int64).to(device);
    }

    /// <summary>
    /// NMS run independently for each value of <paramref name="classIdxs"/> (N): boxes of different
    /// classes never suppress each other. Implemented by shifting each class to its own disjoint region
    /// (offset class × (max coordinate + 1)) and running one NMS; kept indices in score order.
    /// </summary>
    public static Tensor Batched(Tensor boxes, Tensor scores, Tensor classIdxs, double iouThreshold)
    {
        ValidateBoxesAndScores(boxes, scores);
        if (classIdxs.dim() != 1 || classIdxs.shape[0] != boxes.shape[0])
            throw new ArgumentException($"classIdxs must be (N) with N = {boxes.shape[0]}, got shape [{string.Join(", ", classIdxs.shape)}]", nameof(classIdxs));
        NativeDevices.Require("batched_nms", ("boxes", boxes), ("scores", scores), ("classIdxs", classIdxs));
        if (boxes.shape[0] == 0) return empty(0, ScalarType.Int64, boxes.device);
        using var scope = NewDisposeScope();
        // Shifted in float64: a float32 coordinate plus a whole offset stays exact there, so the IoUs of the
        // shifted boxes are those of the originals (the CUDA kernel rounds back to float32).
        var b = boxes.detach().to(ScalarType.Float64);
        // Relative to the smallest coordinate, so negative coordinates cannot make class regions overlap.
        var shifted = b - b.min();
        var offsets = classIdxs.to(b.dtype) * (shifted.max() + 1).ceil();
        return Apply(shifted + offsets.unsqueeze(1), scores, iouThreshold).MoveToOuterDisposeScope();
    }

    private static void ValidateBoxesAndScores(Tensor boxes, Tensor scores)
    {
        if (boxes.dim() != 2 || boxes.shape[1] != 4)
            throw new ArgumentException($"boxes must be (N, 4) x1, y1, x2, y2, got shape [{string.Join(", ", boxes.shape)}]", nameof(boxes));
        if (!boxes.is_floating_point()) throw new ArgumentException($"boxes must be floating point, got {boxes.dtype}", nameof(boxes));
        if (scores.dim() != 1 || scores.shape[0] != boxes.shape[0])
            throw new ArgumentException($"scores must be (N) with N = {boxes.shape[0]}, got shape [{string.Join(", ", scores.shape)}]", nameof(scores));
        if (!scores.is_floating_point()) throw new ArgumentException($"scores must be floating point, got {scores.dtype}", nameof(scores));
    }
}

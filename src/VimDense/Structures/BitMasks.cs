using TorchSharp;
using VimDense.Ops;
using static TorchSharp.torch;

namespace VimDense.Structures;

/// <summary>
/// Full-image bitmaps (G, H, W) (non-zero = object) as detectron2's <c>BitMasks</c>. Their training targets are
/// <c>crop_and_resize</c>: RoIAlign of the bitmap (output M × M, scale 1, adaptive sampling, aligned) thresholded
/// at 0.5. For detectron2's numbers the bitmaps must have the image's own size (not padded): RoIAlign clamps samples
/// in the last half pixel to the border pixel, which padding would change.
/// </summary>
public sealed class BitMasks(Tensor masks) : IInstanceMasks
{
    /// <summary>(G, H, W), any integer or bool dtype.</summary>
    public Tensor Masks { get; } = masks.dim() == 3 ? masks
        : throw new ArgumentException($"bitmasks must be (G, H, W), got shape [{string.Join(", ", masks.shape)}]", nameof(masks));

    public int Count => (int)Masks.shape[0];

    public Tensor CropAndResize(Tensor indices, Tensor boxes, int maskSize)
    {
        using var scope = NewDisposeScope();
        if (boxes.shape[0] == 0) return zeros([0, maskSize, maskSize], ScalarType.Float32, boxes.device).MoveToOuterDisposeScope();
        // All G bitmaps once, each RoI reading its own by batch index (detectron2 indexes R copies first: same values).
        var bitmaps = Masks.to(boxes.device).ne(0).to(ScalarType.Float32).unsqueeze(1);
        var rois = cat([indices.to(ScalarType.Float32).unsqueeze(1), boxes.to(ScalarType.Float32)], 1);
        var crops = RoiAlign.Apply(bitmaps, rois, maskSize, maskSize, 1.0, 0, aligned: true).squeeze(1);
        return crops.ge(0.5).to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    public void Dispose() => Masks.Dispose();
}

using static TorchSharp.torch;

namespace VimDense.Structures;

/// <summary>
/// Ground-truth instance masks that produce their own Mask R-CNN training targets, as detectron2's
/// <c>PolygonMasks</c> / <c>BitMasks.crop_and_resize</c>: the heads ask for the mask of ground truth
/// <c>indices[r]</c> inside box r at M × M and never see the full-image representation.
/// </summary>
public interface IInstanceMasks : IDisposable
{
    /// <summary>Number of instances.</summary>
    int Count { get; }

    /// <summary>
    /// (R, M, M) float32 targets in {0, 1} on the device of <paramref name="boxes"/>: instance
    /// <paramref name="indices"/>[r] (R, int64) cropped to <paramref name="boxes"/>[r] (R, 4; x1, y1, x2, y2 pixels).
    /// </summary>
    Tensor CropAndResize(Tensor indices, Tensor boxes, int maskSize);
}

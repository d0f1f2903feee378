using static TorchSharp.torch;

namespace VimDense.Heads.Detection;

/// <summary>
/// Ground truth of one image in network-input coordinates: <paramref name="Boxes"/> (G, 4) x1, y1, x2, y2
/// (float32), <paramref name="Classes"/> (G) contiguous class indices 0..K−1 (int64) and optionally
/// <paramref name="Masks"/> (G, H, W) full-image bitmaps (any dtype; non-zero = object), H × W being the
/// image's valid size.
/// </summary>
public sealed record DetectionTarget(Tensor Boxes, Tensor Classes, Tensor? Masks = null);

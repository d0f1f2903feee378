using static TorchSharp.torch;

namespace VimDense.Heads.Detection;

/// <summary>
/// Detections of one image, in order of decreasing score: <paramref name="Boxes"/> (D, 4) x1, y1, x2, y2,
/// <paramref name="Scores"/> (D), <paramref name="Classes"/> (D) int64 class indices and, with a mask head,
/// <paramref name="Masks"/> (D, H, W) bool at the requested output resolution.
/// </summary>
public sealed record Detections(Tensor Boxes, Tensor Scores, Tensor Classes, Tensor? Masks);

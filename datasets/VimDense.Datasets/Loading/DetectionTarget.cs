using static TorchSharp.torch;

namespace VimDense.Datasets.Loading;

/// <summary>
/// Ground truth of one image of a <see cref="DetectionBatch"/>: boxes (N, 4) float32 xyxy in the padded
/// image's pixels, classes (N) int64 contiguous indices, the polygons of each instance (for the mask head,
/// which rasterises them per proposal like detectron2), and, when the collator rasterises them, masks
/// (N, H, W) uint8 at the padded batch size (pycocotools rasterisation).
/// </summary>
public sealed class DetectionTarget : IDisposable
{
    public required Tensor Boxes { get; init; }
    public required Tensor Classes { get; init; }
    public required IReadOnlyList<IReadOnlyList<double[]>> Polygons { get; init; }
    public Tensor? Masks { get; init; }

    public void Dispose()
    {
        Boxes.Dispose();
        Classes.Dispose();
        Masks?.Dispose();
    }
}

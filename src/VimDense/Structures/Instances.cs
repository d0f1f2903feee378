using static TorchSharp.torch;

namespace VimDense.Structures;

/// <summary>
/// The objects of one image in tensor form, as detectron2's Instances: what the detector is trained on and what it
/// predicts. <see cref="Boxes"/> (N, 4) are <see cref="BoxMode.XyxyAbs"/> pixels of the image the tensors belong
/// to; <see cref="Classes"/> (N) int64 contiguous class indices 0..K−1; <see cref="Scores"/> (N) for predictions;
/// <see cref="Masks"/> (N, H, W) full-image bitmaps (non-zero = object: predictions, or ground truth given as
/// bitmaps); <see cref="GtMasks"/> ground truth that makes its own per-proposal mask targets (polygons rasterised
/// in each box, RLE through RoIAlign, as detectron2), which the heads prefer; <see cref="Polygons"/> the ground
/// truth's polygons per instance when it was read from polygons. The plain-array form is <see cref="Instance"/>
/// (one conversion each way: the detection collator and <c>DetectionExport</c>).
/// </summary>
public sealed class Instances : IDisposable
{
    /// <summary>(N, 4) corners x1, y1, x2, y2 in pixels.</summary>
    public required Tensor Boxes { get; init; }

    public required Tensor Classes { get; init; }

    /// <summary>Confidences (predictions); null for ground truth.</summary>
    public Tensor? Scores { get; init; }

    public Tensor? Masks { get; init; }

    /// <summary>Ground-truth masks as targets (owned: disposed with the instances); null for predictions.</summary>
    public IInstanceMasks? GtMasks { get; init; }

    public IReadOnlyList<IReadOnlyList<double[]>>? Polygons { get; init; }

    /// <summary>The mode of <see cref="Boxes"/>: always corners in absolute pixels.</summary>
    public BoxMode BoxMode => BoxMode.XyxyAbs;

    public int Count => (int)Boxes.shape[0];

    /// <summary>The same instances without masks (tensors shared, not copied: dispose only the original).</summary>
    public Instances WithoutMasks() => new() { Boxes = Boxes, Classes = Classes, Scores = Scores, Polygons = Polygons };

    public void Dispose()
    {
        Boxes.Dispose();
        Classes.Dispose();
        Scores?.Dispose();
        Masks?.Dispose();
        GtMasks?.Dispose();
    }
}

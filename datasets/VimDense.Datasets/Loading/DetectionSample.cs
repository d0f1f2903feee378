using VimDense.Structures;

namespace VimDense.Datasets.Loading;

/// <summary>
/// One detection / instance-segmentation sample after its pipeline: a normalised planar RGB image of
/// <see cref="Height"/>×<see cref="Width"/> (not padded; the collator pads) and its instances in that
/// image's coordinates. <see cref="ScaleX"/>/<see cref="ScaleY"/> map original-image coordinates to sample
/// coordinates (x_sample = x_original · ScaleX, before any crop/flip), used to map test predictions back.
/// </summary>
public sealed class DetectionSample
{
    public required long ImageId { get; init; }
    public required string FileName { get; init; }
    public required int OriginalHeight { get; init; }
    public required int OriginalWidth { get; init; }
    public required float[] Image { get; init; }
    public required int Height { get; init; }
    public required int Width { get; init; }
    public required IReadOnlyList<Instance> Instances { get; init; }
    public double ScaleX { get; init; } = 1;
    public double ScaleY { get; init; } = 1;
    public bool Flipped { get; init; }
}

namespace VimDense.Heads.Segmentation;

/// <summary>
/// How a segmentor predicts a full image: "whole" (one pass) or "slide" (crops of <see cref="CropSize"/> every
/// <see cref="Stride"/> pixels, logits averaged by coverage), optionally with test-time augmentation over
/// <see cref="Scales"/> (relative to the given image) and horizontal flips, merged by averaging softmax.
/// </summary>
public sealed record InferenceOptions
{
    public string Mode { get; init; } = "whole";
    public int CropSize { get; init; } = 512;
    public int Stride { get; init; } = 341;
    public bool Flip { get; init; }
    public IReadOnlyList<double> Scales { get; init; } = [1.0];

    public bool UsesAugmentation => Flip || Scales.Count != 1 || Scales[0] != 1.0;
}

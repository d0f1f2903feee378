using VimDense.Config;

namespace VimDense.Heads.Segmentation;

/// <summary>
/// How a segmentor predicts a full image (config section "test" of a segmentation experiment): whole (one pass) or
/// slide (crops of <see cref="CropSize"/> every <see cref="Stride"/> pixels, logits averaged by coverage), optionally
/// with test-time augmentation over <see cref="Scales"/> (relative to the given image) and horizontal flips, merged
/// by averaging softmax. The defaults are the ADE20K 512 recipe's.
/// </summary>
public sealed record InferenceOptions
{
    public InferenceMode Mode { get; init; } = InferenceMode.Slide;
    [Min(1)]
    public int CropSize { get; init; } = 512;
    [Min(1)]
    public int Stride { get; init; } = 341;
    public bool Flip { get; init; }
    [Min(0, Exclusive = true), Finite]
    public IReadOnlyList<double> Scales { get; init; } = [1.0];

    public bool UsesAugmentation => Flip || Scales.Count != 1 || Scales[0] != 1.0;
}

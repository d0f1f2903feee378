using TorchSharp;
using VimDense.Layers;
using static TorchSharp.torch;

namespace VimDense.Heads.Segmentation;

/// <summary>
/// mmseg's pixel cross-entropy: logits are bilinearly resized (align_corners=False) to the label size, pixels
/// labelled <see cref="IgnoreIndex"/> contribute 0, and — mmseg's default (avg_non_ignore=False) — the sum is
/// divided by ALL pixels, ignored ones included. With <see cref="AverageNonIgnored"/> the denominator is the
/// number of labelled pixels (torch's own ignore_index behaviour).
/// </summary>
public sealed record SegmentationLoss(int IgnoreIndex = 255, bool AverageNonIgnored = false, double Weight = 1.0)
{
    public Tensor Compute(Tensor logits, Tensor labels) => CrossEntropy(AtLabelSize(logits, labels), labels);

    /// <summary>
    /// The loss and the pixel accuracy over labelled pixels (mmseg's acc_seg, in percent, for logs only) of the same
    /// logits, resized once: the resize to the label size is the largest tensor of the step.
    /// </summary>
    public (Tensor Loss, double Accuracy) ComputeWithAccuracy(Tensor logits, Tensor labels)
    {
        var resized = AtLabelSize(logits, labels);
        return (CrossEntropy(resized, labels), PixelAccuracy(resized, labels));
    }

    /// <summary>Logits in float32 (the loss's precision under mixed precision), bilinearly resized to the label size.</summary>
    private static Tensor AtLabelSize(Tensor logits, Tensor labels)
    {
        logits = Autocast.Float(logits);
        return logits.shape[2] != labels.shape[1] || logits.shape[3] != labels.shape[2]
            ? nn.functional.interpolate(logits, size: [labels.shape[1], labels.shape[2]], mode: InterpolationMode.Bilinear, align_corners: false)
            : logits;
    }

    private Tensor CrossEntropy(Tensor logits, Tensor labels)
    {
        var perPixel = nn.functional.cross_entropy(logits, labels, ignore_index: IgnoreIndex, reduction: nn.Reduction.None);
        var denominator = AverageNonIgnored
            ? labels.ne(IgnoreIndex).sum().clamp_min(1).to(perPixel.dtype)
            : tensor((double)perPixel.numel(), dtype: perPixel.dtype, device: perPixel.device);
        return perPixel.sum().div(denominator).mul(Weight);
    }

    private double PixelAccuracy(Tensor logits, Tensor labels)
    {
        using var _ = NewDisposeScope();
        using var noGrad = no_grad();
        var valid = labels.ne(IgnoreIndex);
        var count = valid.sum().item<long>();
        if (count == 0) return 0;
        var correct = logits.argmax(1).eq(labels).logical_and(valid).sum().item<long>();
        return 100.0 * correct / count;
    }
}

using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace VimDense.Heads.Segmentation;

/// <summary>
/// A segmentation head (mmseg's BaseDecodeHead): <c>forward(features)</c> gives per-class logits (B, NumClasses, h, w)
/// at the head's own resolution, and <see cref="Loss"/> scores them against labels with the head's own
/// <see cref="Criterion"/> (its weight included). Each head picks its inputs by index.
/// </summary>
public abstract class DecodeHead(string name, int numClasses) : nn.Module<IReadOnlyList<Tensor>, Tensor>(name)
{
    public int NumClasses { get; } = numClasses;

    /// <summary>The head's weighted pixel cross-entropy (set by the builder from model.ignore_index, avg_non_ignore and the head's loss_weight).</summary>
    public SegmentationLoss Criterion { get; init; } = new();

    /// <summary>The head's weighted loss of <paramref name="logits"/> (resized to the labels) against labels (B, H, W).</summary>
    public Tensor Loss(Tensor logits, Tensor labels) => Criterion.Compute(logits, labels);

    /// <summary><see cref="Loss"/> and the pixel accuracy over labelled pixels in percent (mmseg's acc_seg, for logs), from one resize of the logits.</summary>
    public (Tensor Loss, double Accuracy) LossAndAccuracy(Tensor logits, Tensor labels) => Criterion.ComputeWithAccuracy(logits, labels);

    /// <summary>mmseg's cls_seg classifier: 1×1 conv initialised Normal(0, 0.01), bias 0.</summary>
    protected static Conv2d CreateClassifier(long channels, int numClasses)
    {
        var conv = nn.Conv2d(channels, numClasses, 1);
        using (no_grad())
        {
            nn.init.normal_(conv.weight, 0, 0.01);
            nn.init.zeros_(conv.bias!);
        }
        return conv;
    }

    /// <summary>Picks input <paramref name="index"/>, Python style (−1 is the last).</summary>
    protected static Tensor Select(IReadOnlyList<Tensor> inputs, int index)
    {
        var i = index < 0 ? inputs.Count + index : index;
        if (i < 0 || i >= inputs.Count)
            throw new ArgumentException($"head input index {index} out of range for {inputs.Count} feature maps");
        return inputs[i];
    }

    protected static Tensor Resize(Tensor x, long height, long width) =>
        nn.functional.interpolate(x, size: [height, width], mode: InterpolationMode.Bilinear, align_corners: false);
}

using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace VimDense.Heads.Segmentation;

/// <summary>
/// A segmentation head: multi-level features in, per-class logits (B, NumClasses, h, w) out at the head's own
/// resolution; the segmentor resizes them to the label or image size. Each head picks its inputs by index.
/// </summary>
public abstract class DecodeHead(string name, int numClasses) : nn.Module<IReadOnlyList<Tensor>, Tensor>(name)
{
    public int NumClasses { get; } = numClasses;

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

namespace VimDense.Heads.Segmentation;

/// <summary>
/// What a decode-head builder gets besides the head's options: the feature maps it will see and the model-wide
/// loss settings (model.num_classes, ignore_index, avg_non_ignore).
/// </summary>
public sealed record HeadContext(IReadOnlyList<int> InChannels, IReadOnlyList<int> InStrides, int NumClasses,
    int IgnoreIndex = 255, bool AverageNonIgnored = false)
{
    /// <summary>The head's loss: model-wide ignore rules, the head's own weight.</summary>
    public SegmentationLoss Criterion(DecodeHeadOptions options) => new(IgnoreIndex, AverageNonIgnored, options.LossWeight);

    /// <summary>Channels of input <paramref name="index"/>, Python style (−1 is the last).</summary>
    public int Pick(int index)
    {
        var i = index < 0 ? InChannels.Count + index : index;
        return i >= 0 && i < InChannels.Count ? InChannels[i]
            : throw new UserInputException($"head in_index {index}: the neck/backbone gives {InChannels.Count} feature maps");
    }
}

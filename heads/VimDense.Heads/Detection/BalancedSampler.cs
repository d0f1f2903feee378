using TorchSharp;
using static TorchSharp.torch;

namespace VimDense.Heads.Detection;

/// <summary>
/// detectron2's subsample_labels: draws at most <c>numSamples · positiveFraction</c> positives and fills
/// the rest with negatives, each uniformly at random without replacement.
/// </summary>
public static class BalancedSampler
{
    /// <summary>
    /// Indices of the sampled positives and negatives of <paramref name="labels"/> (N): −1 is ignored,
    /// <paramref name="backgroundLabel"/> is negative, anything else is positive.
    /// </summary>
    public static (Tensor Positive, Tensor Negative) Sample(Tensor labels, int numSamples, double positiveFraction,
        long backgroundLabel, Generator? generator = null)
    {
        if (numSamples < 0) throw new ArgumentException($"numSamples must be >= 0, got {numSamples}", nameof(numSamples));
        if (positiveFraction is < 0 or > 1)
            throw new ArgumentException($"positiveFraction must be in [0, 1], got {positiveFraction}", nameof(positiveFraction));
        using var scope = NewDisposeScope();
        var positive = labels.ne(-1).logical_and(labels.ne(backgroundLabel)).nonzero().reshape(-1);
        var negative = labels.eq(backgroundLabel).nonzero().reshape(-1);
        var numPositive = Math.Min(positive.shape[0], (long)(numSamples * positiveFraction));
        var numNegative = Math.Min(negative.shape[0], numSamples - numPositive);
        var pickedPositive = positive[randperm(positive.shape[0], generator: generator, device: labels.device)[..(int)numPositive]];
        var pickedNegative = negative[randperm(negative.shape[0], generator: generator, device: labels.device)[..(int)numNegative]];
        return (pickedPositive.MoveToOuterDisposeScope(), pickedNegative.MoveToOuterDisposeScope());
    }
}

using TorchSharp;
using static TorchSharp.torch;

namespace VimDense.Heads.Detection;

/// <summary>
/// detectron2's Matcher: assigns each prediction (column of an IoU matrix, ground truth × predictions)
/// its best ground truth and a label from the IoU intervals [−∞, t1), [t1, t2), …, [tk, ∞).
/// With low-quality matches allowed, every prediction that ties for the highest IoU of some ground
/// truth is labelled positive (1) as well, so that no ground truth is left without a match.
/// </summary>
public sealed class Matcher
{
    private readonly double[] _thresholds;
    private readonly int[] _labels;

    /// <param name="thresholds">increasing IoU thresholds, e.g. [0.3, 0.7]</param>
    /// <param name="labels">one label per interval (thresholds.Count + 1), each −1 (ignore), 0 (negative) or 1 (positive)</param>
    public Matcher(IReadOnlyList<double> thresholds, IReadOnlyList<int> labels, bool allowLowQualityMatches)
    {
        if (thresholds.Zip(thresholds.Skip(1)).Any(p => p.First > p.Second))
            throw new ArgumentException("thresholds must be increasing", nameof(thresholds));
        if (labels.Count != thresholds.Count + 1)
            throw new ArgumentException($"{thresholds.Count + 1} labels expected, got {labels.Count}", nameof(labels));
        if (labels.Any(l => l is < -1 or > 1)) throw new ArgumentException("labels must be -1, 0 or 1", nameof(labels));
        _thresholds = [double.NegativeInfinity, .. thresholds, double.PositiveInfinity];
        _labels = labels.ToArray();
        AllowLowQualityMatches = allowLowQualityMatches;
    }

    public bool AllowLowQualityMatches { get; }

    /// <summary>
    /// For an IoU matrix (G, P): matched ground-truth index per prediction (P, int64; 0 when G = 0) and
    /// its label (P, int8: −1, 0, 1).
    /// </summary>
    public (Tensor Matches, Tensor Labels) Match(Tensor quality)
    {
        if (quality.dim() != 2) throw new ArgumentException("the match quality matrix must be (G, P)", nameof(quality));
        long predictions = quality.shape[1];
        if (quality.shape[0] == 0)
            return (zeros(predictions, ScalarType.Int64, quality.device),
                full(predictions, _labels[0], ScalarType.Int8, quality.device));
        using var scope = NewDisposeScope();
        var (values, matches) = quality.max(0);
        var labels = ones(predictions, ScalarType.Int8, quality.device);
        for (var i = 0; i < _labels.Length; i++)
        {
            var inRange = (values >= _thresholds[i]).logical_and(values < _thresholds[i + 1]);
            labels.masked_fill_(inRange, _labels[i]);
        }
        if (AllowLowQualityMatches)
        {
            var best = quality.max(1).values.unsqueeze(1);
            // Ties count: every prediction reaching some ground truth's best IoU becomes positive.
            var isBest = quality.eq(best).any(0);
            labels.masked_fill_(isBest, 1);
        }
        return (matches.MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope());
    }
}

namespace VimDense.Datasets.Evaluation;

/// <summary>
/// mmseg's IoUMetric, streaming: per image the four per-class pixel histograms (intersection, union, prediction,
/// label) over the non-ignored pixels are added to data-set totals (int64), and the metrics come from the totals
/// (never from per-image averages). Labels are given as stored on disk; with <c>reduceZeroLabel</c> they are
/// mapped as mmseg does (0 → 255, k → k−1, 255 stays ignored). Thread-safe: images may be added in parallel.
/// </summary>
public sealed class SegmentationMetric
{
    private readonly long[] _intersect, _union, _prediction, _label;
    private readonly object _lock = new();

    public SegmentationMetric(int numClasses, int ignoreIndex = 255, bool reduceZeroLabel = false)
    {
        if (numClasses <= 0) throw new ArgumentOutOfRangeException(nameof(numClasses), $"number of classes must be positive, got {numClasses}");
        NumClasses = numClasses;
        IgnoreIndex = ignoreIndex;
        ReduceZeroLabel = reduceZeroLabel;
        _intersect = new long[numClasses];
        _union = new long[numClasses];
        _prediction = new long[numClasses];
        _label = new long[numClasses];
    }

    public int NumClasses { get; }
    public int IgnoreIndex { get; }
    public bool ReduceZeroLabel { get; }

    /// <summary>Number of images added.</summary>
    public int Count { get; private set; }

    /// <summary>Adds one image: predicted class per pixel and the ground-truth label map, same length (row-major).</summary>
    public void Add(ReadOnlySpan<byte> prediction, ReadOnlySpan<byte> label)
    {
        CheckLengths(prediction.Length, label.Length);
        var local = new long[4, NumClasses];
        for (var i = 0; i < label.Length; i++) Count1(local, prediction[i], label[i]);
        AddLocal(local);
    }

    /// <summary>Adds one image with integer maps (e.g. an argmax over logits).</summary>
    public void Add(ReadOnlySpan<int> prediction, ReadOnlySpan<int> label)
    {
        CheckLengths(prediction.Length, label.Length);
        var local = new long[4, NumClasses];
        for (var i = 0; i < label.Length; i++) Count1(local, prediction[i], label[i]);
        AddLocal(local);
    }

    /// <summary>Adds the totals of another metric with the same settings (e.g. from another worker).</summary>
    public void Merge(SegmentationMetric other)
    {
        if (other.NumClasses != NumClasses || other.IgnoreIndex != IgnoreIndex || other.ReduceZeroLabel != ReduceZeroLabel)
            throw new ArgumentException("cannot merge segmentation metrics with different settings");
        long[][] snapshot;
        int count;
        lock (other._lock)
        {
            snapshot = [(long[])other._intersect.Clone(), (long[])other._union.Clone(), (long[])other._prediction.Clone(), (long[])other._label.Clone()];
            count = other.Count;
        }
        lock (_lock)
        {
            for (var k = 0; k < NumClasses; k++)
            {
                _intersect[k] += snapshot[0][k];
                _union[k] += snapshot[1][k];
                _prediction[k] += snapshot[2][k];
                _label[k] += snapshot[3][k];
            }
            Count += count;
        }
    }

    /// <summary>The totals as one array (intersection, union, prediction, label per class, then the image count), e.g. to sum over processes.</summary>
    public long[] ExportTotals()
    {
        lock (_lock) return [.. _intersect, .. _union, .. _prediction, .. _label, Count];
    }

    /// <summary>Replaces the totals by <paramref name="totals"/> (the layout of <see cref="ExportTotals"/>).</summary>
    public void ImportTotals(long[] totals)
    {
        if (totals.Length != 4 * NumClasses + 1) throw new ArgumentException($"expected {4 * NumClasses + 1} totals, got {totals.Length}");
        lock (_lock)
        {
            totals.AsSpan(0, NumClasses).CopyTo(_intersect);
            totals.AsSpan(NumClasses, NumClasses).CopyTo(_union);
            totals.AsSpan(2 * NumClasses, NumClasses).CopyTo(_prediction);
            totals.AsSpan(3 * NumClasses, NumClasses).CopyTo(_label);
            Count = (int)totals[^1];
        }
    }

    /// <summary>aAcc, mIoU, mAcc and per-class IoU/Acc (percent) from the totals so far.</summary>
    public SegmentationMetricResult Compute(IReadOnlyList<string>? classNames = null)
    {
        if (classNames is not null && classNames.Count != NumClasses)
            throw new ArgumentException($"{classNames.Count} class names given for {NumClasses} classes");
        lock (_lock)
            return new SegmentationMetricResult((long[])_intersect.Clone(), (long[])_union.Clone(), (long[])_prediction.Clone(),
                (long[])_label.Clone(), classNames ?? Enumerable.Range(0, NumClasses).Select(k => $"class_{k}").ToArray(), Count);
    }

    private void Count1(long[,] local, int prediction, int label)
    {
        if (ReduceZeroLabel)
        {
            // mmseg's uint8 trick: 0 -> 255, then -1, and 254 (from 255) back to 255.
            if (label == 0) label = 255;
            label -= 1;
            if (label == 254) label = 255;
        }
        if (label == IgnoreIndex) return;
        var predictionInRange = (uint)prediction < (uint)NumClasses;
        var labelInRange = (uint)label < (uint)NumClasses;
        // torch.histc over [0, num_classes-1]: values outside that range fall in no bin.
        if (predictionInRange) local[1, prediction]++;
        if (labelInRange) local[2, label]++;
        if (labelInRange && prediction == label) local[0, label]++;
    }

    private void AddLocal(long[,] local)
    {
        lock (_lock)
        {
            for (var k = 0; k < NumClasses; k++)
            {
                _intersect[k] += local[0, k];
                _prediction[k] += local[1, k];
                _label[k] += local[2, k];
                _union[k] += local[1, k] + local[2, k] - local[0, k];
            }
            Count++;
        }
    }

    private static void CheckLengths(int prediction, int label)
    {
        if (prediction != label) throw new ArgumentException($"prediction has {prediction} pixels but the label map has {label}");
    }
}

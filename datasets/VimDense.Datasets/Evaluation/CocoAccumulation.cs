namespace VimDense.Datasets.Evaluation;

/// <summary>
/// pycocotools' <c>accumulate</c>: per category, area range and maxDets, the detections of all images (the first
/// maxDets of each, in image order) are stable-sorted by score; cumulative TP/FP give recall and precision, the
/// precision is made non-increasing from the right and read at the 101 recall thresholds with
/// <c>np.searchsorted(side='left')</c>. Entries stay −1 where a category has no non-ignored ground truth.
/// Arrays are flat in NumPy's C order: precision[t, r, k, a, m], recall[t, k, a, m].
/// </summary>
internal sealed class CocoAccumulation
{
    private CocoAccumulation(double[] precision, double[] recall, int t, int r, int k, int a, int m)
    {
        Precision = precision;
        Recall = recall;
        (T, R, K, A, M) = (t, r, k, a, m);
    }

    public double[] Precision { get; }
    public double[] Recall { get; }
    public int T { get; }
    public int R { get; }
    public int K { get; }
    public int A { get; }
    public int M { get; }

    public int PrecisionIndex(int t, int r, int k, int a, int m) => (((t * R + r) * K + k) * A + a) * M + m;
    public int RecallIndex(int t, int k, int a, int m) => ((t * K + k) * A + a) * M + m;

    public static CocoAccumulation Compute(CocoEvalParams p, CocoImageEvaluation?[] evaluations, int imageCount, int categoryCount)
    {
        int T = p.IouThresholds.Length, R = p.RecallThresholds.Length, K = categoryCount, A = p.AreaRanges.Length, M = p.MaxDets.Length;
        var precision = new double[T * R * K * A * M];
        var recall = new double[T * K * A * M];
        Array.Fill(precision, -1.0);
        Array.Fill(recall, -1.0);
        var result = new CocoAccumulation(precision, recall, T, R, K, A, M);
        ParallelRunner.For(K, k => AccumulateCategory(p, result, evaluations, imageCount, k));
        return result;
    }

    private static void AccumulateCategory(CocoEvalParams p, CocoAccumulation acc, CocoImageEvaluation?[] evaluations, int imageCount, int k)
    {
        var entries = new List<CocoImageEvaluation>();
        for (var i = 0; i < imageCount; i++)
            if (evaluations[(long)i * acc.K + k] is { } e) entries.Add(e);
        if (entries.Count == 0) return;

        // Concatenate the detections of each image (already the top ones, by descending score), then a stable sort by
        // descending score, once: the order for a smaller maxDet keeps the entries with detection index < maxDet, since
        // both sorts break ties by position in the concatenation, which dropping entries does not change.
        var all = 0;
        foreach (var e in entries) all += e.Scores.Length;
        var allScores = new double[all];
        var allOwner = new int[all];
        var allDetection = new int[all];
        var filled = 0;
        for (var ei = 0; ei < entries.Count; ei++)
            for (var d = 0; d < entries[ei].Scores.Length; d++)
            {
                allScores[filled] = entries[ei].Scores[d];
                allOwner[filled] = ei;
                allDetection[filled++] = d;
            }
        var allOrder = ScoreOrder.Descending(allScores);

        for (var mi = 0; mi < acc.M; mi++)
        {
            var maxDet = p.MaxDets[mi];
            var total = 0;
            foreach (var o in allOrder) if (allDetection[o] < maxDet) total++;
            // owner/detection in sorted order (the first maxDet detections of each image only).
            var owner = new int[total];
            var detection = new int[total];
            var n = 0;
            foreach (var o in allOrder)
                if (allDetection[o] < maxDet)
                {
                    owner[n] = allOwner[o];
                    detection[n++] = allDetection[o];
                }

            var rc = new double[total];
            var pr = new double[total];
            // The match flags of every (area, threshold) in sorted order, gathered once per detection (one image
            // lookup each) so that the passes below read contiguous bytes.
            var pairs = acc.A * acc.T;
            var sortedFlags = new byte[pairs * total];
            for (var i = 0; i < total; i++)
            {
                var entry = entries[owner[i]];
                var flags = entry.Flags;
                int count = entry.Scores.Length, d = detection[i];
                for (var at = 0; at < pairs; at++) sortedFlags[at * total + i] = flags[at * count + d];
            }
            for (var ai = 0; ai < acc.A; ai++)
            {
                var npig = 0;
                foreach (var e in entries) npig += e.NonIgnoredGt[ai];
                if (npig == 0) continue;
                for (var ti = 0; ti < acc.T; ti++)
                {
                    double tp = 0, fp = 0;
                    var row = (ai * acc.T + ti) * total;
                    for (var i = 0; i < total; i++)
                    {
                        var flag = sortedFlags[row + i];
                        if ((flag & CocoImageEvaluation.Ignored) == 0)
                        {
                            if ((flag & CocoImageEvaluation.Matched) != 0) tp++;
                            else fp++;
                        }
                        rc[i] = tp / npig;
                        pr[i] = tp / (fp + tp + NumpyCompat.SpacingOfOne);
                    }
                    acc.Recall[acc.RecallIndex(ti, k, ai, mi)] = total > 0 ? rc[total - 1] : 0;
                    for (var i = total - 1; i > 0; i--)
                        if (pr[i] > pr[i - 1]) pr[i - 1] = pr[i];
                    // searchsorted(rc, recThrs, 'left'): first index with rc >= threshold; beyond the curve q stays 0.
                    var idx = 0;
                    for (var ri = 0; ri < acc.R; ri++)
                    {
                        var threshold = p.RecallThresholds[ri];
                        while (idx < total && rc[idx] < threshold) idx++;
                        acc.Precision[acc.PrecisionIndex(ti, ri, k, ai, mi)] = idx < total ? pr[idx] : 0;
                    }
                }
            }
        }
    }
}

using VimDense.Datasets.Coco;

namespace VimDense.Datasets.Evaluation;

/// <summary>
/// pycocotools' <c>evaluateImg</c> for one (image, category), done for all area ranges at once: the top
/// detections by score (stable sort, so ties keep file order), and per area range and IoU threshold the greedy
/// matching flags. Only what accumulate needs is kept (scores, matched/ignored bits, non-ignored gt count).
/// </summary>
internal sealed class CocoImageEvaluation
{
    public const byte Matched = 1;
    public const byte Ignored = 2;

    private CocoImageEvaluation(double[] scores, byte[] flags, int[] nonIgnoredGt)
    {
        Scores = scores;
        Flags = flags;
        NonIgnoredGt = nonIgnoredGt;
    }

    /// <summary>Scores of the kept detections, in descending order.</summary>
    public double[] Scores { get; }

    /// <summary>Bits <see cref="Matched"/>/<see cref="Ignored"/> at [(area·T + t)·D + d].</summary>
    public byte[] Flags { get; }

    /// <summary>Number of ground truths that are not ignored, per area range.</summary>
    public int[] NonIgnoredGt { get; }

    /// <summary>
    /// Evaluates one (image, category). <paramref name="iou"/>(i, j) is the IoU of <paramref name="dtsInFileOrder"/>[i]
    /// with <paramref name="gts"/>[j]. Returns null when there is neither a ground truth nor a detection.
    /// </summary>
    public static CocoImageEvaluation? Evaluate(CocoEvalParams p, CocoAnnotation[] gts, CocoAnnotation[] dtsInFileOrder,
        Func<int, int, double> iou)
    {
        int g = gts.Length;
        if (g == 0 && dtsInFileOrder.Length == 0) return null;
        var top = TopByScore(dtsInFileOrder, p.MaxDets[^1]);
        var dts = new CocoAnnotation[top.Length];
        for (var i = 0; i < top.Length; i++) dts[i] = dtsInFileOrder[top[i]];
        int d = dts.Length, t = p.IouThresholds.Length, a = p.AreaRanges.Length;

        var ious = new double[d * g];
        for (var di = 0; di < d; di++)
            for (var gi = 0; gi < g; gi++)
                ious[di * g + gi] = iou(top[di], gi);

        var flags = new byte[a * t * d];
        var nonIgnored = new int[a];
        var order = new int[g];
        var gtIgnore = new bool[g];
        var gtMatched = new bool[g];
        for (var ai = 0; ai < a; ai++)
        {
            double lo = p.AreaRanges[ai][0], hi = p.AreaRanges[ai][1];
            // Ground truths sorted so that the non-ignored come first (stable).
            var n = 0;
            for (var gi = 0; gi < g; gi++)
                if (!IsIgnored(gts[gi], lo, hi)) order[n++] = gi;
            nonIgnored[ai] = n;
            for (var gi = 0; gi < g; gi++)
                if (IsIgnored(gts[gi], lo, hi)) order[n++] = gi;
            for (var k = 0; k < g; k++) gtIgnore[k] = IsIgnored(gts[order[k]], lo, hi);

            for (var ti = 0; ti < t; ti++)
            {
                Array.Clear(gtMatched);
                var rowBase = (ai * t + ti) * d;
                for (var di = 0; di < d; di++)
                {
                    var best = Math.Min(p.IouThresholds[ti], 1 - 1e-10);
                    var m = -1;
                    for (var k = 0; k < g; k++)
                    {
                        var gt = gts[order[k]];
                        if (gtMatched[k] && !gt.IsCrowd) continue; // a crowd region can absorb many detections
                        if (m > -1 && !gtIgnore[m] && gtIgnore[k]) break; // ignored gts only when no regular one qualifies
                        var value = ious[di * g + order[k]];
                        if (value < best) continue;
                        best = value;
                        m = k;
                    }
                    byte flag = 0;
                    if (m != -1)
                    {
                        if (gtIgnore[m]) flag |= Ignored;
                        // pycocotools records the gt id and tests it against 0 (so a gt with id 0 counts as unmatched).
                        if (gts[order[m]].Id != 0) flag |= Matched;
                        gtMatched[m] = true;
                    }
                    // Unmatched detections outside the area range are ignored.
                    if ((flag & Matched) == 0 && (dts[di].Area < lo || dts[di].Area > hi)) flag |= Ignored;
                    flags[rowBase + di] = flag;
                }
            }
        }
        var scores = new double[d];
        for (var di = 0; di < d; di++) scores[di] = dts[di].Score;
        return new CocoImageEvaluation(scores, flags, nonIgnored);
    }

    private static bool IsIgnored(CocoAnnotation gt, double lo, double hi) => gt.IsCrowd || gt.Area < lo || gt.Area > hi;

    /// <summary>np.argsort(-score, kind='mergesort')[:max]: descending score, ties in input order.</summary>
    internal static int[] TopByScore(CocoAnnotation[] dts, int max)
    {
        var scores = new double[dts.Length];
        for (var i = 0; i < scores.Length; i++) scores[i] = dts[i].Score;
        var index = ScoreOrder.Descending(scores);
        return index.Length <= max ? index : index[..max];
    }
}

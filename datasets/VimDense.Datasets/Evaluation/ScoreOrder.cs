namespace VimDense.Datasets.Evaluation;

/// <summary>
/// np.argsort(-scores, kind='mergesort'): indices by descending score, ties in index order. Sorts the primitive
/// keys (−score) with their indices, which is several times faster than a comparison delegate, then puts each run
/// of equal scores back in index order, which makes the result exactly the stable order.
/// </summary>
internal static class ScoreOrder
{
    public static int[] Descending(ReadOnlySpan<double> scores)
    {
        var order = new int[scores.Length];
        for (var i = 0; i < order.Length; i++) order[i] = i;
        foreach (var s in scores)
            if (double.IsNaN(s)) return DescendingByComparison(scores.ToArray(), order);
        var keys = new double[scores.Length];
        for (var i = 0; i < keys.Length; i++) keys[i] = -scores[i];
        Array.Sort(keys, order);
        for (var start = 0; start < keys.Length;)
        {
            var end = start + 1;
            while (end < keys.Length && keys[end] == keys[start]) end++;
            if (end - start > 1) Array.Sort(order, start, end - start);
            start = end;
        }
        return order;
    }

    // NaN scores (which pycocotools would order last) keep the obviously-right comparison sort.
    private static int[] DescendingByComparison(double[] scores, int[] order)
    {
        Array.Sort(order, (x, y) =>
        {
            var c = scores[y].CompareTo(scores[x]);
            return c != 0 ? c : x.CompareTo(y);
        });
        return order;
    }
}

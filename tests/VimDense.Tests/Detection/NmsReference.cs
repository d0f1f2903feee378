using TorchSharp;
using static TorchSharp.torch;

namespace VimDense.Tests.Detection;

/// <summary>
/// NMS from its definition: the pairwise IoU matrix with TorchSharp ops, a stable descending sort,
/// then the greedy pass over that matrix. The oracle of the NMS tests.
/// </summary>
internal static class NmsReference
{
    public static long[] Apply(Tensor boxes, Tensor scores, double threshold)
    {
        long n = boxes.shape[0];
        if (n == 0) return [];
        var b = boxes.to(ScalarType.Float64);
        var area = (b[.., 2] - b[.., 0]) * (b[.., 3] - b[.., 1]);
        var lt = maximum(b[.., ..2].unsqueeze(1), b[.., ..2].unsqueeze(0));
        var rb = minimum(b[.., 2..].unsqueeze(1), b[.., 2..].unsqueeze(0));
        var wh = (rb - lt).clamp_min(0);
        var inter = wh[.., .., 0] * wh[.., .., 1];
        var iou = (inter / (area.unsqueeze(1) + area.unsqueeze(0) - inter)).data<double>().ToArray();
        var order = scores.sort(0, descending: true, stable: true).Indices.data<long>().ToArray();
        var suppressed = new bool[n];
        var keep = new List<long>();
        foreach (var i in order)
        {
            if (suppressed[i]) continue;
            keep.Add(i);
            foreach (var j in order)
                if (!suppressed[j] && j != i && iou[i * n + j] > threshold) suppressed[j] = true;
        }
        return keep.ToArray();
    }

    /// <summary>Per-class NMS, results merged in order of decreasing score (ties by index).</summary>
    public static long[] Batched(Tensor boxes, Tensor scores, long[] classes, double threshold)
    {
        var s = scores.to(ScalarType.Float64).data<double>().ToArray();
        var kept = new List<long>();
        foreach (var c in classes.Distinct())
        {
            var members = Enumerable.Range(0, classes.Length).Where(i => classes[i] == c).Select(i => (long)i).ToArray();
            var idx = tensor(members);
            kept.AddRange(Apply(boxes.index_select(0, idx), scores.index_select(0, idx), threshold).Select(k => members[k]));
        }
        return kept.OrderByDescending(i => s[i]).ThenBy(i => i).ToArray();
    }
}

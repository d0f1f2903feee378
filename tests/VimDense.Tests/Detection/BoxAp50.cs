using static TorchSharp.torch;
using VimDense.Heads.Detection;

namespace VimDense.Tests.Detection;

/// <summary>
/// COCO-style AP at IoU 0.5 (greedy matching by score, 101-point interpolated precision), averaged over
/// the classes present in the ground truth — written from the definition, as the test's yardstick.
/// </summary>
internal static class BoxAp50
{
    public static double Compute(IReadOnlyList<Detections> detections, IReadOnlyList<DetectionTarget> targets, int numClasses,
        Func<Detections, int, Tensor>? overlaps = null)
    {
        var aps = new List<double>();
        for (var cls = 0; cls < numClasses; cls++)
        {
            var scored = new List<(double Score, bool Hit)>();
            var gtCount = 0;
            for (var i = 0; i < targets.Count; i++)
            {
                var gtMask = targets[i].Classes.eq(cls);
                var gt = targets[i].Boxes[gtMask];
                gtCount += (int)gt.shape[0];
                var dtMask = detections[i].Classes.eq(cls);
                var scores = Doubles(detections[i].Scores[dtMask]);
                var iou = overlaps is null
                    ? BoxOps.PairwiseIou(detections[i].Boxes[dtMask], gt.to(ScalarType.Float32))
                    : overlaps(detections[i], cls);
                var iouValues = Doubles(iou);
                var taken = new bool[gt.shape[0]];
                foreach (var d in Enumerable.Range(0, scores.Length).OrderByDescending(d => scores[d]))
                {
                    var best = -1;
                    var bestIou = 0.5 - 1e-10;
                    for (var g = 0; g < taken.Length; g++)
                        if (!taken[g] && iouValues[d * taken.Length + g] >= bestIou) { best = g; bestIou = iouValues[d * taken.Length + g]; }
                    if (best >= 0) taken[best] = true;
                    scored.Add((scores[d], best >= 0));
                }
            }
            if (gtCount == 0) continue;
            var ordered = scored.OrderByDescending(s => s.Score).ToList();
            var precision = new double[ordered.Count];
            var recall = new double[ordered.Count];
            int tp = 0;
            for (var k = 0; k < ordered.Count; k++)
            {
                if (ordered[k].Hit) tp++;
                precision[k] = tp / (double)(k + 1);
                recall[k] = tp / (double)gtCount;
            }
            for (var k = ordered.Count - 2; k >= 0; k--) precision[k] = Math.Max(precision[k], precision[k + 1]);
            double sum = 0;
            for (var r = 0; r <= 100; r++)
            {
                var k = Array.FindIndex(recall, v => v >= r / 100.0);
                sum += k < 0 ? 0 : precision[k];
            }
            aps.Add(sum / 101);
        }
        return aps.Count == 0 ? 0 : aps.Average();
    }

    // TorchSharp's accessor cannot copy out empty tensors.
    private static double[] Doubles(Tensor t) => t.numel() == 0 ? [] : t.to(ScalarType.Float64).contiguous().data<double>().ToArray();
}

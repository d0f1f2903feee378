using VimDense.Datasets.Coco;
using VimDense.Datasets.Evaluation;
using VimDense.Datasets.Masks;

namespace VimDense.Tests.Evaluation;

/// <summary>
/// A slow, literal transliteration of pycocotools' COCOeval (dicts keyed by (image, category), one evaluateImg per
/// (category, area, image), accumulate by concatenation and a stable sort, plain means), used as the oracle for the
/// optimised evaluator. Mask IoU is computed from decoded pixels.
/// </summary>
internal static class CocoEvalReference
{
    private sealed record EvalImg(double[] Scores, bool[,] Matched, bool[,] DtIgnore, bool[] GtIgnore);

    public static double[] Stats(CocoGroundTruth gt, IReadOnlyList<CocoAnnotation> dts, CocoIouType iouType)
    {
        var p = new CocoEvalParams(iouType);
        var imgIds = gt.Images.Select(i => i.Id).Order().ToList();
        var catIds = gt.Categories.Select(c => c.Id).Order().ToList();
        var gts = new Dictionary<(long, long), List<CocoAnnotation>>();
        var dtd = new Dictionary<(long, long), List<CocoAnnotation>>();
        foreach (var imgId in imgIds)
        {
            foreach (var a in gt.Annotations.Where(a => a.ImageId == imgId && catIds.Contains(a.CategoryId)))
                Get(gts, (a.ImageId, a.CategoryId)).Add(a);
            foreach (var d in dts.Where(d => d.ImageId == imgId))
                Get(dtd, (d.ImageId, d.CategoryId)).Add(d);
        }
        List<CocoAnnotation> G(long i, long c) => gts.GetValueOrDefault((i, c)) ?? [];
        List<CocoAnnotation> D(long i, long c) => dtd.GetValueOrDefault((i, c)) ?? [];

        var evalImgs = new List<EvalImg?>();
        foreach (var catId in catIds)
            foreach (var area in p.AreaRanges)
                foreach (var imgId in imgIds)
                    evalImgs.Add(EvaluateImg(p, gt.ImagesById[imgId], G(imgId, catId), D(imgId, catId), area, p.MaxDets[^1]));

        int T = p.IouThresholds.Length, R = p.RecallThresholds.Length, K = catIds.Count, A = p.AreaRanges.Length, M = p.MaxDets.Length, I = imgIds.Count;
        var precision = new double[T, R, K, A, M];
        var recall = new double[T, K, A, M];
        foreach (var t in Enumerable.Range(0, T)) foreach (var k in Enumerable.Range(0, K)) foreach (var a in Enumerable.Range(0, A)) foreach (var m in Enumerable.Range(0, M))
        {
            recall[t, k, a, m] = -1;
            for (var r = 0; r < R; r++) precision[t, r, k, a, m] = -1;
        }
        for (var k = 0; k < K; k++)
            for (var a = 0; a < A; a++)
                for (var m = 0; m < M; m++)
                {
                    var maxDet = p.MaxDets[m];
                    var E = Enumerable.Range(0, I).Select(i => evalImgs[k * A * I + a * I + i]).Where(e => e is not null).Select(e => e!).ToList();
                    if (E.Count == 0) continue;
                    var dets = E.SelectMany(e => Enumerable.Range(0, Math.Min(maxDet, e.Scores.Length)).Select(d => (e, d))).ToList();
                    var sorted = dets.OrderByDescending(x => x.e.Scores[x.d]).ToList(); // LINQ ordering is stable
                    var npig = E.Sum(e => e.GtIgnore.Count(g => !g));
                    if (npig == 0) continue;
                    for (var t = 0; t < T; t++)
                    {
                        var tps = sorted.Select(x => x.e.Matched[t, x.d] && !x.e.DtIgnore[t, x.d]).ToArray();
                        var fps = sorted.Select(x => !x.e.Matched[t, x.d] && !x.e.DtIgnore[t, x.d]).ToArray();
                        var nd = tps.Length;
                        var rc = new double[nd];
                        var pr = new double[nd];
                        double tp = 0, fp = 0;
                        for (var i = 0; i < nd; i++)
                        {
                            tp += tps[i] ? 1 : 0;
                            fp += fps[i] ? 1 : 0;
                            rc[i] = tp / npig;
                            pr[i] = tp / (fp + tp + 2.220446049250313e-16);
                        }
                        recall[t, k, a, m] = nd > 0 ? rc[nd - 1] : 0;
                        for (var i = nd - 1; i > 0; i--) if (pr[i] > pr[i - 1]) pr[i - 1] = pr[i];
                        for (var r = 0; r < R; r++)
                        {
                            var idx = Enumerable.Range(0, nd).FirstOrDefault(i => rc[i] >= p.RecallThresholds[r], nd);
                            precision[t, r, k, a, m] = idx < nd ? pr[idx] : 0;
                        }
                    }
                }

        double Mean(IEnumerable<double> v) { var l = v.Where(x => x > -1).ToList(); return l.Count == 0 ? -1 : l.Sum() / l.Count; }
        double Ap(int? t, int a) => Mean(from ti in Enumerable.Range(0, T) where t is null || ti == t
                                         from r in Enumerable.Range(0, R) from k in Enumerable.Range(0, K) select precision[ti, r, k, a, M - 1]);
        double Ar(int a, int m) => Mean(from ti in Enumerable.Range(0, T) from k in Enumerable.Range(0, K) select recall[ti, k, a, m]);
        return [Ap(null, 0), Ap(0, 0), Ap(5, 0), Ap(null, 1), Ap(null, 2), Ap(null, 3), Ar(0, 0), Ar(0, 1), Ar(0, 2), Ar(1, 2), Ar(2, 2), Ar(3, 2)];
    }

    private static EvalImg? EvaluateImg(CocoEvalParams p, CocoImage image, List<CocoAnnotation> gt, List<CocoAnnotation> dt, double[] aRng, int maxDet)
    {
        if (gt.Count == 0 && dt.Count == 0) return null;
        bool Outside(double area) => area < aRng[0] || area > aRng[1];
        var gtSorted = gt.OrderBy(g => g.IsCrowd || Outside(g.Area) ? 1 : 0).ToList();
        var dtSorted = dt.OrderByDescending(d => d.Score).Take(maxDet).ToList();
        var gtIg = gtSorted.Select(g => g.IsCrowd || Outside(g.Area)).ToArray();
        int T = p.IouThresholds.Length, Gc = gtSorted.Count, Dc = dtSorted.Count;
        var gtm = new long[T, Gc];
        var dtm = new long[T, Dc];
        var dtIg = new bool[T, Dc];
        for (var t = 0; t < T; t++)
            for (var d = 0; d < Dc; d++)
            {
                var iou = Math.Min(p.IouThresholds[t], 1 - 1e-10);
                var m = -1;
                for (var g = 0; g < Gc; g++)
                {
                    if (gtm[t, g] > 0 && !gtSorted[g].IsCrowd) continue;
                    if (m > -1 && !gtIg[m] && gtIg[g]) break;
                    var value = Iou(p.IouType, image, dtSorted[d], gtSorted[g]);
                    if (value < iou) continue;
                    iou = value;
                    m = g;
                }
                if (m == -1) continue;
                dtIg[t, d] = gtIg[m];
                dtm[t, d] = gtSorted[m].Id;
                gtm[t, m] = dtSorted[d].Id;
            }
        var matched = new bool[T, Dc];
        for (var t = 0; t < T; t++)
            for (var d = 0; d < Dc; d++)
            {
                matched[t, d] = dtm[t, d] != 0;
                dtIg[t, d] = dtIg[t, d] || (dtm[t, d] == 0 && Outside(dtSorted[d].Area));
            }
        return new EvalImg(dtSorted.Select(d => d.Score).ToArray(), matched, dtIg, gtIg);
    }

    private static double Iou(CocoIouType type, CocoImage image, CocoAnnotation d, CocoAnnotation g)
    {
        if (type == CocoIouType.Bbox)
        {
            double[] a = d.Bbox!, b = g.Bbox!;
            var w = Math.Min(a[0] + a[2], b[0] + b[2]) - Math.Max(a[0], b[0]);
            var h = Math.Min(a[1] + a[3], b[1] + b[3]) - Math.Max(a[1], b[1]);
            if (w <= 0 || h <= 0) return 0;
            var inter = w * h;
            return inter / (g.IsCrowd ? a[2] * a[3] : a[2] * a[3] + b[2] * b[3] - inter);
        }
        var dm = RleCodec.Decode(d.Segmentation!.ToRle(image.Height, image.Width));
        var gm = RleCodec.Decode(g.Segmentation!.ToRle(image.Height, image.Width));
        long i = 0, u = 0, da = 0;
        for (var n = 0; n < dm.Length; n++)
        {
            if (dm[n] != 0 && gm[n] != 0) i++;
            if (dm[n] != 0 || gm[n] != 0) u++;
            if (dm[n] != 0) da++;
        }
        return i == 0 ? 0 : (double)i / (g.IsCrowd ? da : u);
    }

    private static List<CocoAnnotation> Get(Dictionary<(long, long), List<CocoAnnotation>> map, (long, long) key)
    {
        if (!map.TryGetValue(key, out var list)) map[key] = list = [];
        return list;
    }
}

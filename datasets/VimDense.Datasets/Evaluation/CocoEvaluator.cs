using VimDense.Datasets.Coco;
using VimDense.Datasets.Masks;

namespace VimDense.Datasets.Evaluation;

/// <summary>
/// COCO detection / instance-segmentation evaluation, numerically identical to pycocotools' COCOeval
/// (evaluate → accumulate → summarize), parallel over images. Typical use:
/// <code>var result = CocoEvaluator.Run(groundTruth, CocoResults.Load(path, groundTruth), CocoIouType.Bbox);</code>
/// Memory is proportional to the detections: per (image, category) only the top-100 scores and one byte of
/// match flags per (area range, IoU threshold, detection) are kept.
/// </summary>
public sealed class CocoEvaluator
{
    private readonly CocoGroundTruth _gt;
    private readonly IReadOnlyList<CocoAnnotation> _results;
    private readonly long[] _imageIds;
    private readonly long[] _categoryIds;
    private CocoImageEvaluation?[]? _evaluations;
    private CocoAccumulation? _accumulation;

    public CocoEvaluator(CocoGroundTruth groundTruth, IReadOnlyList<CocoAnnotation> results, CocoEvalParams parameters)
    {
        _gt = groundTruth;
        _results = results;
        Params = parameters;
        _imageIds = groundTruth.Images.Select(i => i.Id).Order().ToArray();
        _categoryIds = groundTruth.Categories.Select(c => c.Id).Order().ToArray();
    }

    public CocoEvalParams Params { get; }

    /// <summary>Sorted ids of the evaluated images (all images of the ground truth).</summary>
    public IReadOnlyList<long> ImageIds => _imageIds;

    /// <summary>Sorted ids of the evaluated categories (all categories of the ground truth).</summary>
    public IReadOnlyList<long> CategoryIds => _categoryIds;

    /// <summary>Evaluates, accumulates and summarizes in one call.</summary>
    public static CocoEvalResult Run(CocoGroundTruth groundTruth, IReadOnlyList<CocoAnnotation> results, CocoIouType iouType)
    {
        var evaluator = new CocoEvaluator(groundTruth, results, new CocoEvalParams(iouType));
        evaluator.Evaluate();
        evaluator.Accumulate();
        return evaluator.Summarize();
    }

    /// <summary>Per-image matching (pycocotools' evaluate: computeIoU + evaluateImg for every image, category and area).</summary>
    public void Evaluate()
    {
        int imageCount = _imageIds.Length, categoryCount = _categoryIds.Length;
        var imageIndex = new Dictionary<long, int>(imageCount);
        for (var i = 0; i < imageCount; i++) imageIndex[_imageIds[i]] = i;
        var categoryIndex = new Dictionary<long, int>(categoryCount);
        for (var k = 0; k < categoryCount; k++) categoryIndex[_categoryIds[k]] = k;

        // Like getAnnIds(imgIds, catIds): ground truths outside the image/category lists take no part.
        var gts = Bucket(_gt.Annotations, imageIndex, categoryIndex, categoryCount, strict: false, _gt.Source);
        var dts = Bucket(_results, imageIndex, categoryIndex, categoryCount, strict: true, "results");

        var evaluations = new CocoImageEvaluation?[(long)imageCount * categoryCount];
        ParallelRunner.For(imageCount, i =>
        {
            var image = _gt.ImagesById[_imageIds[i]];
            for (var k = 0; k < categoryCount; k++)
            {
                var bucket = (long)i * categoryCount + k;
                if (gts.IsEmpty(bucket) && dts.IsEmpty(bucket)) continue;
                var g = gts.Slice(bucket);
                var d = dts.Slice(bucket);
                evaluations[bucket] = Params.IouType == CocoIouType.Bbox
                    ? CocoImageEvaluation.Evaluate(Params, g, d, BoxIou(g, d))
                    : CocoImageEvaluation.Evaluate(Params, g, d, MaskIou(g, d, image));
            }
        });
        _evaluations = evaluations;
        _accumulation = null;
    }

    /// <summary>Precision/recall curves over the whole set (pycocotools' accumulate).</summary>
    public void Accumulate()
    {
        if (_evaluations is null) throw new InvalidOperationException("call Evaluate() before Accumulate()");
        _accumulation = CocoAccumulation.Compute(Params, _evaluations, _imageIds.Length, _categoryIds.Length);
    }

    /// <summary>The 12 summary numbers, per-category AP and the printable summary (pycocotools' summarize).</summary>
    public CocoEvalResult Summarize()
    {
        if (_accumulation is null) throw new InvalidOperationException("call Accumulate() before Summarize()");
        var names = _categoryIds.Select(id => _gt.CategoriesById[id].Name).ToArray();
        return new CocoEvalResult(Params, _accumulation, _categoryIds, names);
    }

    private Func<int, int, double> BoxIou(CocoAnnotation[] g, CocoAnnotation[] d)
    {
        foreach (var gt in g)
            if (gt.Bbox is null) throw new InvalidDataException($"{_gt.Source}: annotation id {gt.Id} has no 'bbox' (needed for bbox evaluation)");
        foreach (var dt in d)
            if (dt.Bbox is null) throw new InvalidDataException($"results: result id {dt.Id} has no 'bbox'");
        return (di, gi) => RleOverlap.BoxIou(d[di].Bbox!, g[gi].Bbox!, g[gi].IsCrowd);
    }

    private Func<int, int, double> MaskIou(CocoAnnotation[] g, CocoAnnotation[] d, CocoImage image)
    {
        var gtMasks = new Rle[g.Length];
        for (var j = 0; j < g.Length; j++)
        {
            var segmentation = g[j].Segmentation
                ?? throw new InvalidDataException($"{_gt.Source}: annotation id {g[j].Id} has no 'segmentation' (needed for segm evaluation)");
            try { gtMasks[j] = segmentation.ToRle(image.Height, image.Width); }
            catch (Exception e) when (e is ArgumentException or InvalidDataException)
            {
                throw new InvalidDataException($"{_gt.Source}: annotation id {g[j].Id}: field 'segmentation': {e.Message}", e);
            }
        }
        var dtMasks = new Rle[d.Length];
        for (var j = 0; j < d.Length; j++)
            dtMasks[j] = (d[j].Segmentation ?? throw new InvalidDataException($"results: result id {d[j].Id} has no 'segmentation'"))
                .ToRle(image.Height, image.Width);
        var gtBoxes = RleOverlap.Boxes(gtMasks);
        var dtBoxes = RleOverlap.Boxes(dtMasks);
        return (di, gi) => RleOverlap.MaskIou(dtMasks[di], dtBoxes[di], gtMasks[gi], gtBoxes[gi], g[gi].IsCrowd);
    }

    /// <summary>
    /// Groups annotations by (image, category) with a stable counting sort, so each group keeps file order
    /// (which decides score ties, as in pycocotools).
    /// </summary>
    private static Buckets Bucket(IReadOnlyList<CocoAnnotation> annotations, Dictionary<long, int> imageIndex,
        Dictionary<long, int> categoryIndex, int categoryCount, bool strict, string source)
    {
        var keys = new long[annotations.Count];
        var starts = new int[(long)imageIndex.Count * categoryCount + 1];
        for (var n = 0; n < annotations.Count; n++)
        {
            var a = annotations[n];
            if (imageIndex.TryGetValue(a.ImageId, out var i) && categoryIndex.TryGetValue(a.CategoryId, out var k))
            {
                keys[n] = (long)i * categoryCount + k;
                starts[keys[n] + 1]++;
            }
            else if (strict)
                throw new InvalidDataException($"{source}: annotation {a.Id} (image_id {a.ImageId}, category_id {a.CategoryId}) is not in the ground truth");
            else keys[n] = -1;
        }
        for (var b = 1; b < starts.Length; b++) starts[b] += starts[b - 1];
        var items = new CocoAnnotation[starts[^1]];
        var next = (int[])starts.Clone();
        for (var n = 0; n < annotations.Count; n++)
            if (keys[n] >= 0) items[next[keys[n]]++] = annotations[n];
        return new Buckets(items, starts);
    }

    private sealed record Buckets(CocoAnnotation[] Items, int[] Starts)
    {
        public CocoAnnotation[] Slice(long bucket) => Items[Starts[bucket]..Starts[bucket + 1]];
        public bool IsEmpty(long bucket) => Starts[bucket] == Starts[bucket + 1];
    }
}

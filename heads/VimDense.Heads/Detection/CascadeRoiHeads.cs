using TorchSharp;
using TorchSharp.Modules;
using VimDense.Ops;
using VimDense.Structures;
using static TorchSharp.torch;

namespace VimDense.Heads.Detection;

/// <summary>
/// Cascade R-CNN ROI heads with a mask head (reference/dense_prediction.md §6.4): proposals (plus ground
/// truth) are matched at IoU 0.5 and sampled once; each stage pools its input boxes, scales the pooled
/// features' gradient by 1/stages, predicts classes and class-agnostic deltas, and hands its decoded boxes
/// to the next stage, which relabels them at its own IoU. Inference averages the stages' class
/// probabilities and keeps the last stage's boxes.
/// </summary>
public sealed class CascadeRoiHeads : nn.Module
{
    private readonly ModuleList<FastRcnnConvFcHead> box_head = new();
    private readonly ModuleList<FastRcnnOutputLayers> box_predictor = new();
    private readonly MaskRcnnHead? mask_head;
    private readonly RoiPooler _boxPooler, _maskPooler;
    private readonly Matcher[] _matchers;
    private readonly RoiHeadsOptions _options;

    public CascadeRoiHeads(int channels, IReadOnlyList<int> strides, RoiHeadsOptions options) : base(nameof(CascadeRoiHeads))
    {
        if (options.StageIous.Count == 0 || options.StageIous.Count != options.StageWeights.Count)
            throw new ArgumentException("StageIous and StageWeights must give one entry per stage", nameof(options));
        _options = options;
        _boxPooler = new RoiPooler(options.BoxPoolSize, strides);
        _maskPooler = new RoiPooler(options.MaskPoolSize, strides);
        _matchers = options.StageIous.Select(iou => new Matcher([iou], [0, 1], allowLowQualityMatches: false)).ToArray();
        foreach (var w in options.StageWeights)
        {
            box_head.Add(new FastRcnnConvFcHead(channels, options.BoxPoolSize, options.ConvDim, options.BoxConvLayers, options.FcDim));
            box_predictor.Add(new FastRcnnOutputLayers(options.FcDim, options.NumClasses, new Box2BoxTransform(w[0], w[1], w[2], w[3])));
        }
        if (options.Masks) mask_head = new MaskRcnnHead(channels, options.NumClasses, options.ConvDim, options.MaskConvLayers);
        RegisterComponents();
    }

    private int Stages => _options.StageIous.Count;
    private int Background => _options.NumClasses;

    /// <summary>Training losses: loss_cls_stage{k}, loss_box_reg_stage{k} and loss_mask.</summary>
    public Dictionary<string, Tensor> Losses(IReadOnlyList<Tensor> features, IReadOnlyList<Tensor> proposals,
        IReadOnlyList<Instances> targets, IReadOnlyList<(long Height, long Width)> imageSizes)
    {
        var sampled = proposals.Select((p, i) => SampleProposals(p, targets[i])).ToList();
        var losses = new Dictionary<string, Tensor>();
        var boxes = sampled.Select(s => s.Boxes).ToList();
        for (var k = 0; k < Stages; k++)
        {
            var labels = new List<(Tensor Classes, Tensor GtBoxes)>();
            using (no_grad())
                for (var i = 0; i < boxes.Count; i++)
                {
                    if (k > 0)
                    {
                        boxes[i] = BoxOps.Clip(boxes[i], imageSizes[i].Height, imageSizes[i].Width);
                        boxes[i] = boxes[i][BoxOps.NonEmpty(boxes[i])];
                    }
                    var (classes, gtIndex) = k == 0 ? (sampled[i].Classes, sampled[i].GtIndex) : Label(boxes[i], targets[i], _matchers[k]);
                    labels.Add((classes, GtBoxesOf(targets[i], gtIndex)));
                }
            var (logits, deltas) = RunStage(k, features, boxes);
            var allBoxes = cat(boxes, 0);
            var (cls, reg) = box_predictor[k].Losses(logits, deltas, allBoxes,
                cat(labels.Select(l => l.Classes).ToList(), 0), cat(labels.Select(l => l.GtBoxes).ToList(), 0));
            losses[$"loss_cls_stage{k}"] = cls;
            losses[$"loss_box_reg_stage{k}"] = reg;
            if (k + 1 < Stages)
                using (no_grad())
                    boxes = Split(box_predictor[k].Coder.ApplyDeltas(deltas.detach(), allBoxes), boxes);
        }
        if (mask_head is not null) losses["loss_mask"] = MaskLoss(features, sampled, targets);
        return losses;
    }

    /// <summary>Per image: boxes (D, 4), scores (D), classes (D) and mask probabilities (D, M, M) or null.</summary>
    public List<(Tensor Boxes, Tensor Scores, Tensor Classes, Tensor? MaskProbabilities)> Predict(IReadOnlyList<Tensor> features,
        IReadOnlyList<Tensor> proposals, IReadOnlyList<(long Height, long Width)> imageSizes)
    {
        var boxes = proposals.ToList();
        Tensor? probabilitySum = null;
        Tensor finalBoxes = null!;
        for (var k = 0; k < Stages; k++)
        {
            var (logits, deltas) = RunStage(k, features, boxes);
            var probabilities = nn.functional.softmax(logits, -1);
            probabilitySum = probabilitySum is null ? probabilities : probabilitySum + probabilities;
            var decoded = Split(box_predictor[k].Coder.ApplyDeltas(deltas, cat(boxes, 0)), boxes);
            decoded = decoded.Select((b, i) => BoxOps.Clip(b, imageSizes[i].Height, imageSizes[i].Width)).ToList();
            if (k + 1 < Stages) boxes = decoded;
            else finalBoxes = cat(decoded, 0);
        }
        var scores = Split(probabilitySum! / Stages, boxes);
        var perImageBoxes = Split(finalBoxes, boxes);
        var results = new List<(Tensor, Tensor, Tensor, Tensor?)>();
        for (var i = 0; i < boxes.Count; i++)
        {
            var (b, s, c) = SelectDetections(perImageBoxes[i], scores[i]);
            results.Add((b, s, c, null));
        }
        if (mask_head is null) return results;
        var maskLogits = mask_head.call(_maskPooler.Pool(features, results.Select(r => r.Item1).ToList()));
        var maskProbabilities = Split(nn.functional.sigmoid(MaskRcnnHead.SelectClass(maskLogits, cat(results.Select(r => r.Item3).ToList(), 0))),
            results.Select(r => r.Item1).ToList());
        return results.Select((r, i) => (r.Item1, r.Item2, r.Item3, (Tensor?)maskProbabilities[i])).ToList();
    }

    // detectron2's fast_rcnn_inference_single_image: background column dropped, every (box, class) pair
    // with score > threshold is a candidate, per-class NMS, best N kept.
    private (Tensor Boxes, Tensor Scores, Tensor Classes) SelectDetections(Tensor boxes, Tensor probabilities)
    {
        var scores = probabilities[.., ..Background];
        var valid = boxes.isfinite().all(1).logical_and(scores.isfinite().all(1));
        boxes = boxes[valid];
        scores = scores[valid];
        var candidates = scores.gt(_options.ScoreThreshold).nonzero();
        var rows = candidates[.., 0];
        var classes = candidates[.., 1];
        var candidateBoxes = boxes.index_select(0, rows);
        var candidateScores = scores[rows, classes];
        var keep = Nms.Batched(candidateBoxes, candidateScores, classes, _options.NmsThreshold);
        keep = keep[..(int)Math.Min(_options.DetectionsPerImage, keep.shape[0])];
        return (candidateBoxes.index_select(0, keep), candidateScores.index_select(0, keep), classes.index_select(0, keep));
    }

    private (Tensor Logits, Tensor Deltas) RunStage(int k, IReadOnlyList<Tensor> features, IReadOnlyList<Tensor> boxes)
    {
        // Its own scope: the pooled features and their copies are freed once the head holds what its backward needs
        // (in the step's scope they would live through backward: 3 × 512 RoIs × 256 × 7 × 7 floats each at 1024²).
        using var scope = NewDisposeScope();
        var pooled = GradientScale.Apply(_boxPooler.Pool(features, boxes), 1.0 / Stages);
        if (!_options.Checkpoint || !training)
        {
            var (logits, deltas) = box_predictor[k].call(box_head[k].call(pooled));
            return scope.MoveToOuter(logits, deltas);
        }
        var outputs = ActivationRecomputation.Run(inputs =>
        {
            var (logits, deltas) = box_predictor[k].call(box_head[k].call(inputs[0]));
            return [logits, deltas];
        }, [pooled], drawsRandomNumbers: false, "model.roi_heads.checkpoint");
        return scope.MoveToOuter(outputs[0], outputs[1]);
    }

    private sealed record Sampled(Tensor Boxes, Tensor Classes, Tensor GtIndex);

    // Ground truth appended to the proposals, IoU 0.5 matching, 512 sampled with at most 25 % foreground.
    private Sampled SampleProposals(Tensor proposals, Instances target)
    {
        using var guard = no_grad();
        var gt = target.Boxes.to(proposals.dtype);
        var boxes = cat([proposals, gt], 0);
        var (classes, gtIndex) = Label(boxes, target, _matchers[0]);
        var (pos, neg) = BalancedSampler.Sample(classes, _options.BatchSizePerImage, _options.PositiveFraction, Background);
        var index = cat([pos, neg], 0);
        return new Sampled(boxes.index_select(0, index), classes.index_select(0, index), gtIndex.index_select(0, index));
    }

    // Class per box (background = K where IoU is below the matcher's threshold) and matched ground-truth index.
    private (Tensor Classes, Tensor GtIndex) Label(Tensor boxes, Instances target, Matcher matcher)
    {
        if (target.Boxes.shape[0] == 0)
            return (full(boxes.shape[0], (long)Background, ScalarType.Int64, boxes.device), zeros(boxes.shape[0], ScalarType.Int64, boxes.device));
        var (matches, labels) = matcher.Match(BoxOps.PairwiseIou(target.Boxes.to(boxes.dtype), boxes));
        var classes = target.Classes.index_select(0, matches).masked_fill(labels.eq(0), Background);
        return (classes, matches);
    }

    private static Tensor GtBoxesOf(Instances target, Tensor gtIndex) => target.Boxes.shape[0] == 0
        ? zeros([gtIndex.shape[0], 4], ScalarType.Float32, gtIndex.device)
        : target.Boxes.to(ScalarType.Float32).index_select(0, gtIndex);

    private Tensor MaskLoss(IReadOnlyList<Tensor> features, IReadOnlyList<Sampled> sampled, IReadOnlyList<Instances> targets)
    {
        var fgBoxes = new List<Tensor>();
        var fgClasses = new List<Tensor>();
        var maskTargets = new List<Tensor>();
        for (var i = 0; i < sampled.Count; i++)
        {
            var fg = sampled[i].Classes.ne(Background);
            fgBoxes.Add(sampled[i].Boxes[fg]);
            fgClasses.Add(sampled[i].Classes[fg]);
            using (no_grad()) maskTargets.Add(MaskTargets(targets[i], i, sampled[i].GtIndex[fg], fgBoxes[^1]));
        }
        var pooled = _maskPooler.Pool(features, fgBoxes);
        if (pooled.shape[0] == 0) return mask_head!.call(pooled).sum() * 0;
        var classes = cat(fgClasses, 0);
        // Recomputed, the head keeps only its pooled input and each box's own class map, not all K logit maps.
        var selected = _options.Checkpoint && training
            ? ActivationRecomputation.Run(inputs => [MaskRcnnHead.SelectClass(mask_head!.call(inputs[0]), inputs[1])], [pooled, classes],
                drawsRandomNumbers: false, "model.roi_heads.checkpoint")[0]
            : MaskRcnnHead.SelectClass(mask_head!.call(pooled), classes);
        return nn.functional.binary_cross_entropy_with_logits(selected, cat(maskTargets, 0));
    }

    // The ground truth's own per-proposal targets (polygons rasterised in the box, or RoIAlign of bitmaps) as
    // detectron2's mask_rcnn_loss; full-image bitmaps in Masks (no GtMasks) go through the bitmap path.
    private Tensor MaskTargets(Instances target, int image, Tensor gtIndex, Tensor boxes)
    {
        var size = _options.MaskPoolSize * 2;
        if (target.GtMasks is { } masks) return masks.CropAndResize(gtIndex, boxes, size);
        if (target.Masks is { } bitmaps) return MaskOps.CropTargets(bitmaps, gtIndex, boxes, size);
        throw new ArgumentException($"target {image} has no masks but the model has a mask head", "targets");
    }

    private static List<Tensor> Split(Tensor all, IReadOnlyList<Tensor> like)
    {
        var result = new List<Tensor>();
        long start = 0;
        foreach (var t in like)
        {
            result.Add(all[TensorIndex.Slice(start, start + t.shape[0])]);
            start += t.shape[0];
        }
        return result;
    }
}

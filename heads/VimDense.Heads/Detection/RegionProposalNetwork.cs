using TorchSharp;
using VimDense.Ops;
using VimDense.Structures;
using static TorchSharp.torch;

namespace VimDense.Heads.Detection;

/// <summary>
/// detectron2's RPN (reference/dense_prediction.md §6.3): anchors labelled by IoU [0.3, 0.7] with
/// low-quality matches, 256 sampled per image (half positive), BCE + L1 losses normalised by
/// 256·images; proposals = per-level top-k by objectness, decoded, clipped, empty ones removed,
/// NMS 0.7 per level, then the best <c>postNmsTopK</c> per image. Proposals carry no gradient.
/// </summary>
public sealed class RegionProposalNetwork : nn.Module
{
    private readonly RpnHead rpn_head;
    private readonly AnchorGenerator _anchors;
    private readonly Box2BoxTransform _coder = new(1, 1, 1, 1);
    private readonly Matcher _matcher = new([0.3, 0.7], [0, -1, 1], allowLowQualityMatches: true);
    private readonly RpnOptions _options;

    public RegionProposalNetwork(int channels, AnchorGenerator anchors, RpnOptions options) : base(nameof(RegionProposalNetwork))
    {
        _anchors = anchors;
        _options = options;
        rpn_head = new RpnHead(channels, anchors.AnchorsPerLocation(0), options.ConvLayers);
        RegisterComponents();
    }

    /// <summary>Proposals (P, 4) per image and, when targets are given, the losses loss_rpn_cls / loss_rpn_loc.</summary>
    public (List<Tensor> Proposals, Dictionary<string, Tensor> Losses) Forward(IReadOnlyList<Tensor> features,
        IReadOnlyList<(long Height, long Width)> imageSizes, IReadOnlyList<Instances>? targets)
    {
        var anchors = _anchors.Generate(features.Select(f => (f.shape[2], f.shape[3])).ToList(), features[0].device);
        var (objectness, deltas) = _options.Checkpoint && training ? RecomputedHead(features) : rpn_head.call(features);
        long batch = features[0].shape[0];
        // (N, A, H, W) -> (N, H·W·A) and (N, 4A, H, W) -> (N, H·W·A, 4): anchors are location-major.
        var logits = objectness.Select(o => o.permute(0, 2, 3, 1).reshape(batch, -1)).ToList();
        var boxDeltas = deltas.Select(d => d.reshape(batch, -1, 4, d.shape[2], d.shape[3]).permute(0, 3, 4, 1, 2).reshape(batch, -1, 4)).ToList();
        var losses = new Dictionary<string, Tensor>();
        if (targets is not null) losses = Losses(cat(anchors, 0), cat(logits, 1), cat(boxDeltas, 1), targets);
        List<Tensor> proposals;
        using (no_grad())
            proposals = Proposals(anchors, logits, boxDeltas, imageSizes);
        return (proposals, losses);
    }

    // The head's convolutions at P2 are the RPN's memory; recomputed, only the small logits and deltas stay.
    private (List<Tensor> Objectness, List<Tensor> Deltas) RecomputedHead(IReadOnlyList<Tensor> features)
    {
        var outputs = ActivationRecomputation.Run(inputs =>
        {
            var (o, d) = rpn_head.call(inputs);
            return [.. o, .. d];
        }, [.. features], drawsRandomNumbers: false, "model.rpn.checkpoint");
        return (outputs.Take(features.Count).ToList(), outputs.Skip(features.Count).ToList());
    }

    private Dictionary<string, Tensor> Losses(Tensor anchors, Tensor logits, Tensor deltas, IReadOnlyList<Instances> targets)
    {
        var labels = new List<Tensor>();
        var matchedBoxes = new List<Tensor>();
        using (no_grad())
            foreach (var target in targets)
            {
                var gt = target.Boxes.to(anchors.dtype);
                var (matches, matchLabels) = _matcher.Match(BoxOps.PairwiseIou(gt, anchors));
                var (pos, neg) = BalancedSampler.Sample(matchLabels, _options.BatchSizePerImage, _options.PositiveFraction, 0);
                var sampled = full(anchors.shape[0], -1L, ScalarType.Int64, anchors.device);
                sampled.index_fill_(0, pos, 1);
                sampled.index_fill_(0, neg, 0);
                labels.Add(sampled);
                matchedBoxes.Add(gt.shape[0] == 0 ? zeros_like(anchors) : gt.index_select(0, matches));
            }
        var allLabels = stack(labels);
        var positive = allLabels.eq(1);
        var valid = allLabels.ge(0);
        var targetDeltas = stack(matchedBoxes.Select(m => _coder.GetDeltas(anchors, m)).ToList());
        double normalizer = _options.BatchSizePerImage * targets.Count;
        var loc = nn.functional.l1_loss(deltas[positive], targetDeltas[positive], reduction: nn.Reduction.Sum);
        var cls = nn.functional.binary_cross_entropy_with_logits(logits[valid], allLabels[valid].to(logits.dtype), reduction: nn.Reduction.Sum);
        return new() { ["loss_rpn_cls"] = cls / normalizer, ["loss_rpn_loc"] = loc / normalizer };
    }

    private List<Tensor> Proposals(List<Tensor> anchors, List<Tensor> logits, List<Tensor> deltas,
        IReadOnlyList<(long Height, long Width)> imageSizes)
    {
        var preNms = training ? _options.PreNmsTopKTrain : _options.PreNmsTopKTest;
        var postNms = training ? _options.PostNmsTopKTrain : _options.PostNmsTopKTest;
        var result = new List<Tensor>();
        for (var image = 0; image < imageSizes.Count; image++)
        {
            using var scope = NewDisposeScope();
            var boxes = new List<Tensor>();
            var scores = new List<Tensor>();
            var levelIds = new List<Tensor>();
            for (var level = 0; level < anchors.Count; level++)
            {
                var levelLogits = logits[level][image];
                var k = (int)Math.Min(preNms, levelLogits.shape[0]);
                var (topScores, topIndex) = levelLogits.topk(k);
                boxes.Add(_coder.ApplyDeltas(deltas[level][image].index_select(0, topIndex), anchors[level].index_select(0, topIndex)));
                scores.Add(topScores);
                levelIds.Add(full(k, level, ScalarType.Int64, levelLogits.device));
            }
            var b = cat(boxes, 0);
            var s = cat(scores, 0);
            var ids = cat(levelIds, 0);
            var finite = b.isfinite().all(1).logical_and(s.isfinite());
            b = b[finite]; s = s[finite]; ids = ids[finite];
            b = BoxOps.Clip(b, imageSizes[image].Height, imageSizes[image].Width);
            var keep = BoxOps.NonEmpty(b, _options.MinBoxSize);
            b = b[keep]; s = s[keep]; ids = ids[keep];
            var kept = Nms.Batched(b, s, ids, _options.NmsThreshold);
            kept = kept[..(int)Math.Min(postNms, kept.shape[0])];
            result.Add(b.index_select(0, kept).MoveToOuterDisposeScope());
        }
        return result;
    }
}

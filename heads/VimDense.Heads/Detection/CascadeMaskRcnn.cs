using TorchSharp;
using VimDense.Backbones;
using VimDense.Heads.Necks;
using VimDense.Ops;
using VimDense.Structures;
using static TorchSharp.torch;

namespace VimDense.Heads.Detection;

/// <summary>
/// Cascade Mask R-CNN on any <see cref="IBackbone"/>: SimpleFeaturePyramid (or another five-level neck, P2–P6) → RPN → cascade
/// ROI heads with a mask head (reference/dense_prediction.md §6, Vim-det: reference/vision_mamba.md §5).
/// Inputs are RGB batches (B, 3, H, W) with each image's valid size, normalised by the data pipeline
/// (or 0–255 with <see cref="CascadeMaskRcnnOptions.NormalizeInputs"/>); everything outside the valid
/// regions is zeroed and the batch padded to the size divisibility, as in detectron2's preprocess_image.
/// </summary>
public sealed class CascadeMaskRcnn : nn.Module
{
    private readonly nn.Module backbone;
    private readonly Neck neck;
    private readonly RegionProposalNetwork proposal_generator;
    private readonly CascadeRoiHeads roi_heads;
    private readonly IBackbone _backbone;
    private readonly CascadeMaskRcnnOptions _options;
    private readonly Tensor _mean, _std;

    public CascadeMaskRcnn(IBackbone backboneNetwork, CascadeMaskRcnnOptions options)
        : this(backboneNetwork, options, new SimpleFeaturePyramid(backboneNetwork.Channels, backboneNetwork.Strides, options.PyramidChannels))
    {
    }

    /// <param name="pyramidNeck">a neck giving one <see cref="CascadeMaskRcnnOptions.PyramidChannels"/>-wide map per anchor size (P2–P6)</param>
    public CascadeMaskRcnn(IBackbone backboneNetwork, CascadeMaskRcnnOptions options, Neck pyramidNeck) : base(nameof(CascadeMaskRcnn))
    {
        if (pyramidNeck.OutStrides.Count != options.Rpn.AnchorSizes.Count || pyramidNeck.OutChannels.Any(c => c != options.PyramidChannels))
            throw new ArgumentException($"the neck must give {options.Rpn.AnchorSizes.Count} maps of {options.PyramidChannels} channels (one per anchor size), " +
                $"got strides [{string.Join(", ", pyramidNeck.OutStrides)}], channels [{string.Join(", ", pyramidNeck.OutChannels)}]", nameof(pyramidNeck));
        _backbone = backboneNetwork;
        _options = options;
        backbone = backboneNetwork.Module;
        neck = pyramidNeck;
        var anchors = new AnchorGenerator(options.Rpn.AnchorSizes.Select(s => (IReadOnlyList<double>)[s]).ToList(),
            options.Rpn.AnchorRatios, neck.OutStrides);
        proposal_generator = new RegionProposalNetwork(options.PyramidChannels, anchors, options.Rpn);
        // The ROI heads pool from P2–P5 (P6 only feeds the RPN).
        roi_heads = new CascadeRoiHeads(options.PyramidChannels, neck.OutStrides.Take(4).ToList(), options.RoiHeads);
        _mean = tensor(options.PixelMean.ToArray(), ScalarType.Float32).reshape(1, 3, 1, 1);
        _std = tensor(options.PixelStd.ToArray(), ScalarType.Float32).reshape(1, 3, 1, 1);
        // Explicit names (detectron2's, with the neck beside the backbone); the IBackbone field is the
        // same object as `backbone` and the normalisation constants are not state.
        register_module("backbone", backbone);
        register_module("neck", neck);
        register_module("proposal_generator", proposal_generator);
        register_module("roi_heads", roi_heads);
    }

    /// <summary>The backbone (for loading pretrained weights).</summary>
    public IBackbone Backbone => _backbone;

    /// <summary>Training losses (RPN, every cascade stage, masks); their sum is the objective.</summary>
    public Dictionary<string, Tensor> Losses(Tensor images, IReadOnlyList<(long Height, long Width)> imageSizes,
        IReadOnlyList<Instances> targets)
    {
        if (targets.Count != images.shape[0]) throw new ArgumentException($"{images.shape[0]} images but {targets.Count} targets", nameof(targets));
        var features = Features(images, imageSizes);
        var (proposals, losses) = proposal_generator.Forward(features, imageSizes, targets);
        foreach (var (name, loss) in roi_heads.Losses(features.Take(4).ToList(), proposals, targets, imageSizes))
            losses[name] = loss;
        return losses;
    }

    /// <summary>
    /// Detections per image at <paramref name="outputSizes"/> (default: the valid input sizes): boxes are
    /// scaled by output/input size per axis and clipped; masks are pasted at the output resolution.
    /// </summary>
    public List<Instances> Predict(Tensor images, IReadOnlyList<(long Height, long Width)> imageSizes,
        IReadOnlyList<(long Height, long Width)>? outputSizes = null)
    {
        outputSizes ??= imageSizes;
        using var guard = no_grad();
        var features = Features(images, imageSizes);
        var (proposals, _) = proposal_generator.Forward(features, imageSizes, null);
        var raw = roi_heads.Predict(features.Take(4).ToList(), proposals, imageSizes);
        var result = new List<Instances>();
        for (var i = 0; i < raw.Count; i++)
        {
            var (boxes, scores, classes, maskProbabilities) = raw[i];
            var (outH, outW) = outputSizes[i];
            double sy = (double)outH / imageSizes[i].Height, sx = (double)outW / imageSizes[i].Width;
            var scaled = BoxOps.Clip(boxes * tensor(new[] { sx, sy, sx, sy }, boxes.dtype, boxes.device), outH, outW);
            var masks = maskProbabilities is null ? null : MaskOps.Paste(maskProbabilities, scaled, outH, outW);
            result.Add(new Instances { Boxes = scaled, Scores = scores, Classes = classes, Masks = masks });
        }
        return result;
    }

    private List<Tensor> Features(Tensor images, IReadOnlyList<(long Height, long Width)> imageSizes)
    {
        if (images.dim() != 4 || images.shape[1] != 3)
            throw new ArgumentException($"images must be (B, 3, H, W) RGB, got [{string.Join(", ", images.shape)}]", nameof(images));
        if (imageSizes.Count != images.shape[0])
            throw new ArgumentException($"{images.shape[0]} images but {imageSizes.Count} image sizes", nameof(imageSizes));
        var x = images.to(ScalarType.Float32);
        if (_options.NormalizeInputs) x = (x - _mean.to(images.device)) / _std.to(images.device);
        // Zero (in normalised space) outside each image's valid region, then pad to the size divisibility.
        var valid = zeros([images.shape[0], 1, images.shape[2], images.shape[3]], ScalarType.Float32, images.device);
        for (var i = 0; i < imageSizes.Count; i++)
            valid[i, .., TensorIndex.Slice(0, imageSizes[i].Height), TensorIndex.Slice(0, imageSizes[i].Width)] = 1;
        x = x * valid;
        var d = Math.Max(_options.SizeDivisibility, 1);
        long padH = (d - images.shape[2] % d) % d, padW = (d - images.shape[3] % d) % d;
        if (padH > 0 || padW > 0) x = nn.functional.pad(x, [0, padW, 0, padH]);
        var maps = _backbone.ForwardIntermediates(x);
        if (!neck.Checkpoint || !neck.training) return neck.call(maps).ToList();
        return [.. ActivationRecomputation.Run(inputs => [.. neck.call(inputs)], [.. maps], drawsRandomNumbers: false, "model.neck.checkpoint")];
    }
}

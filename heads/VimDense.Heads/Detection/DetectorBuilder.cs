using VimDense.Backbones;
using VimDense.Config;
using VimDense.Heads.Necks;

namespace VimDense.Heads.Detection;

/// <summary>
/// Builds a <see cref="CascadeMaskRcnn"/> from a <see cref="ModelConfig"/> (task "detection"): the backbone from
/// <see cref="BackboneFactory.Registry"/>, the pyramid neck from <see cref="Necks"/>, and model.rpn / model.roi_heads
/// bound straight into <see cref="RpnOptions"/> / <see cref="RoiHeadsOptions"/>.
/// </summary>
public static class DetectorBuilder
{
    /// <summary>Five-level (P2–P6) necks a detector can use.</summary>
    public static ComponentRegistry<NeckContext, Neck> Necks { get; } = new ComponentRegistry<NeckContext, Neck>("detection neck")
        .Register<SimpleFeaturePyramidOptions>("simple_feature_pyramid", (o, c) => new SimpleFeaturePyramid(c.InChannels, c.InStrides, o.OutChannels) { Checkpoint = o.Checkpoint })
        .Register<DetectionFpnOptions>("fpn", (o, c) => c.InChannels.Count == 4 && c.InChannels.Distinct().Count() == 1 && c.InStrides.Distinct().Count() == 1
            ? o.Checkpoint && !o.Norm.Equals("none", StringComparison.OrdinalIgnoreCase)
                ? throw new UserInputException($"model.neck.checkpoint: the fpn neck's norm '{o.Norm}' keeps running statistics, which a recomputation would update twice; set model.neck.norm=none or model.neck.checkpoint=false")
                : new DetectionFpn(c.InChannels[0], c.InStrides[0], o) { Checkpoint = o.Checkpoint }
            : throw new UserInputException("model.neck.type 'fpn' needs four backbone maps of one width and stride (model.backbone.options.out_indices with 4 entries)"));

    /// <summary>The detector; <paramref name="backbone"/> replaces the configured one.</summary>
    public static CascadeMaskRcnn Build(ModelConfig config, IBackbone? backbone = null)
    {
        _ = config.ClassCount;
        backbone ??= BackboneFactory.Create(config.Backbone);
        var neck = Necks.Build(config.Neck, new NeckContext(backbone.Channels, backbone.Strides));
        var options = new CascadeMaskRcnnOptions { PyramidChannels = neck.OutChannels[0], Rpn = config.Rpn.Bind<RpnOptions>(), RoiHeads = RoiHeads(config) };
        return new CascadeMaskRcnn(backbone, options, neck);
    }

    /// <summary>Binds every component section of <paramref name="config"/> (unknown keys and types are errors) without building.</summary>
    public static void Validate(ModelConfig config)
    {
        BackboneFactory.BindOptions(config.Backbone);
        Necks.BindOptions(config.Neck);
        config.Rpn.Bind<RpnOptions>();
        RoiHeads(config);
    }

    /// <summary>model.roi_heads with the class count of model.num_classes and one box-weight set per stage.</summary>
    public static RoiHeadsOptions RoiHeads(ModelConfig config)
    {
        if (config.RoiHeads.Json.ContainsKey("num_classes"))
            throw new UserInputException($"model.roi_heads.num_classes (from {config.RoiHeads.DescribeOrigin("num_classes")}): set model.num_classes instead");
        // "auto" (resolved by the experiment from the data) keeps the options' default here: Validate and Masks need no count.
        var bound = config.RoiHeads.Bind<RoiHeadsOptions>();
        var roiHeads = bound with { NumClasses = config.NumClasses ?? bound.NumClasses };
        var stages = roiHeads.StageIous.Count;
        if (stages < 1 || stages > roiHeads.StageWeights.Count)
            throw new UserInputException($"model.roi_heads.stage_ious (from {config.RoiHeads.DescribeOrigin("stage_ious")}): expected 1 to {roiHeads.StageWeights.Count} stages (one per stage_weights entry), got {stages}");
        return roiHeads with { StageWeights = roiHeads.StageWeights.Take(stages).ToList() };
    }
}

using VimDense.Backbones;
using VimDense.Config;
using VimDense.Heads.Necks;

namespace VimDense.Heads.Segmentation;

/// <summary>
/// Builds an <see cref="EncoderDecoder"/> from a <see cref="ModelConfig"/>: the backbone from
/// <see cref="BackboneFactory.Registry"/>, the neck and the decode/auxiliary heads from the registries below, each
/// section bound into its component's options record. A user's assembly adds a neck or head by registering it here.
/// </summary>
public static class SegmentorBuilder
{
    public static ComponentRegistry<NeckContext, Neck?> Necks { get; } = CreateNecks();
    public static ComponentRegistry<HeadContext, DecodeHead?> Heads { get; } = CreateHeads();

    /// <summary>The segmentor; <paramref name="backbone"/> replaces the configured one (tests use small fakes).</summary>
    public static EncoderDecoder Build(ModelConfig config, IBackbone? backbone = null)
    {
        backbone ??= BackboneFactory.Create(config.Backbone);
        var neck = Necks.Build(config.Neck, new NeckContext(backbone.Channels, backbone.Strides));
        var (channels, strides) = neck is null ? (backbone.Channels, backbone.Strides) : (neck.OutChannels, neck.OutStrides);
        var context = new HeadContext(channels, strides, config.ClassCount, config.IgnoreIndex, config.AvgNonIgnore);
        var decode = Heads.Build(config.DecodeHead, context)
                     ?? throw new UserInputException($"model.decode_head.type (from {config.DecodeHead.DescribeOrigin()}): a decode head is required");
        var auxiliary = Heads.Build(config.AuxiliaryHead, context);
        return new EncoderDecoder(backbone, neck, decode, auxiliary);
    }

    /// <summary>Binds every component section of <paramref name="config"/> (unknown keys and types are errors) without building.</summary>
    public static void Validate(ModelConfig config)
    {
        BackboneFactory.BindOptions(config.Backbone);
        Necks.BindOptions(config.Neck);
        Heads.BindOptions(config.DecodeHead);
        Heads.BindOptions(config.AuxiliaryHead);
    }

    private static ComponentRegistry<NeckContext, Neck?> CreateNecks() => new ComponentRegistry<NeckContext, Neck?>("neck")
        .Register("none", _ => null)
        .Register<Feature2PyramidOptions>("feature2pyramid", (o, c) => new Feature2Pyramid(SingleWidth(c.InChannels), c.InStrides[0], o))
        .Register<MultiLevelNeckOptions>("multilevel", (o, c) => new MultiLevelNeck(c.InChannels, c.InStrides[0], o))
        .Register<FpnOptions>("fpn", (o, c) => new Fpn(c.InChannels, c.InStrides, o.OutChannels));

    private static ComponentRegistry<HeadContext, DecodeHead?> CreateHeads() => new ComponentRegistry<HeadContext, DecodeHead?>("decode head")
        .Register("none", _ => null)
        .Register<UperHeadOptions>("upernet", (o, c) => new UperHead(c.InChannels, c.NumClasses, o) { Criterion = c.Criterion(o) })
        .Register<FcnHeadOptions>("fcn", (o, c) => new FcnHead(c.Pick(o.InIndex), c.NumClasses, o) { Criterion = c.Criterion(o) })
        .Register<SegmenterHeadOptions>("segmenter", (o, c) => new SegmenterMaskHead(c.Pick(o.InIndex), c.NumClasses, o) { Criterion = c.Criterion(o) })
        .Register<SemanticFpnHeadOptions>("semantic_fpn", (o, c) => new SemanticFpnHead(c.InChannels, c.InStrides, c.NumClasses, o) { Criterion = c.Criterion(o) });

    private static int SingleWidth(IReadOnlyList<int> channels) => channels.Distinct().Count() == 1 ? channels[0]
        : throw new UserInputException($"feature2pyramid needs equal channels on all inputs, got {string.Join(",", channels)}");
}

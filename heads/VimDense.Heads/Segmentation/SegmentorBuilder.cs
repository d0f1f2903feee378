using VimDense.Backbones;
using VimDense.Config;
using VimDense.Heads.Necks;

namespace VimDense.Heads.Segmentation;

/// <summary>
/// Builds an <see cref="EncoderDecoder"/> from a <see cref="ModelConfig"/> through registries of named backbones,
/// necks and heads (add a component by registering a builder).
/// </summary>
public static class SegmentorBuilder
{
    public static ComponentRegistry<BackboneConfig, IBackbone> Backbones { get; } = CreateBackbones();
    public static ComponentRegistry<NeckContext, Neck?> Necks { get; } = CreateNecks();
    public static ComponentRegistry<HeadContext, DecodeHead?> Heads { get; } = CreateHeads();

    /// <summary>The segmentor; <paramref name="backbone"/> replaces the configured one (tests use small fakes).</summary>
    public static EncoderDecoder Build(ModelConfig config, IBackbone? backbone = null)
    {
        backbone ??= Backbones.Build(config.Backbone.Type, config.Backbone);
        var neck = Necks.Build(config.Neck.Type, new NeckContext(config.Neck, backbone.Channels, backbone.Strides));
        var (channels, strides) = neck is null ? (backbone.Channels, backbone.Strides) : (neck.OutChannels, neck.OutStrides);
        var decode = Heads.Build(config.DecodeHead.Type, new HeadContext(config.DecodeHead, channels, strides, config.NumClasses))
                     ?? throw new UserInputException("model.decode_head.type: a decode head is required");
        var auxiliary = Heads.Build(config.AuxiliaryHead.Type, new HeadContext(config.AuxiliaryHead, channels, strides, config.NumClasses));
        return new EncoderDecoder(backbone, neck, decode, auxiliary,
            new SegmentationLoss(config.IgnoreIndex, config.AvgNonIgnore, config.DecodeHead.LossWeight),
            new SegmentationLoss(config.IgnoreIndex, config.AvgNonIgnore, config.AuxiliaryHead.LossWeight));
    }

    private static ComponentRegistry<BackboneConfig, IBackbone> CreateBackbones()
    {
        var registry = new ComponentRegistry<BackboneConfig, IBackbone>("backbone");
        foreach (var name in BackboneFactory.Names) registry.Register(name, c => BackboneFactory.Create(name, c.Options));
        return registry;
    }

    private static ComponentRegistry<NeckContext, Neck?> CreateNecks() => new ComponentRegistry<NeckContext, Neck?>("neck")
        .Register("none", _ => null)
        .Register("feature2pyramid", c => new Feature2Pyramid(SingleWidth(c.InChannels), c.InStrides[0], c.Config.Rescales, NormKindParser.Parse(c.Config.Norm)))
        .Register("multilevel", c => new MultiLevelNeck(c.InChannels, c.Config.OutChannels, c.InStrides[0], c.Config.Rescales))
        .Register("fpn", c => new Fpn(c.InChannels, c.InStrides, c.Config.OutChannels));

    private static ComponentRegistry<HeadContext, DecodeHead?> CreateHeads() => new ComponentRegistry<HeadContext, DecodeHead?>("head")
        .Register("none", _ => null)
        .Register("upernet", c => new UperHead(c.InChannels, c.Config.Channels, c.NumClasses, c.Config.PoolScales, c.Config.DropoutRatio, NormKindParser.Parse(c.Config.Norm)))
        .Register("fcn", c => new FcnHead(Pick(c.InChannels, c.Config.InIndex), c.Config.Channels, c.NumClasses, c.Config.InIndex, c.Config.NumConvs,
            c.Config.ConcatInput, c.Config.DropoutRatio, NormKindParser.Parse(c.Config.Norm)))
        .Register("segmenter", c => new SegmenterMaskHead(Pick(c.InChannels, c.Config.InIndex), c.NumClasses, c.Config.EmbedDims, c.Config.NumHeads,
            c.Config.NumLayers, c.Config.MlpRatio, c.Config.DropPathRate, c.Config.InIndex))
        .Register("semantic_fpn", c => new SemanticFpnHead(c.InChannels, c.InStrides, c.Config.Channels, c.NumClasses, c.Config.DropoutRatio,
            NormKindParser.Parse(c.Config.Norm)));

    private static int SingleWidth(IReadOnlyList<int> channels) => channels.Distinct().Count() == 1 ? channels[0]
        : throw new UserInputException($"feature2pyramid needs equal channels on all inputs, got {string.Join(",", channels)}");

    private static int Pick(IReadOnlyList<int> values, int index)
    {
        var i = index < 0 ? values.Count + index : index;
        return i >= 0 && i < values.Count ? values[i]
            : throw new UserInputException($"head in_index {index}: the neck/backbone gives {values.Count} feature maps");
    }
}

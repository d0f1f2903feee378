using TorchSharp;
using TorchSharp.Modules;
using VimDense.Layers;
using static TorchSharp.torch;

namespace VimDense.Heads.Segmentation;

/// <summary>
/// UPerNet head (mmseg UPerHead): a pyramid pooling module on the coarsest map, FPN laterals with a top-down
/// pathway, 3×3 FPN convs, all levels resized to the finest one, fused by a 3×3 bottleneck, then Dropout2d and
/// a 1×1 classifier. Output at the finest input's stride (4 for a Feature2Pyramid neck).
/// </summary>
public sealed class UperHead : DecodeHead
{
    private readonly ModuleList<nn.Module<Tensor, Tensor>> psp_modules = new();
    private readonly ConvModule bottleneck;
    private readonly ModuleList<nn.Module<Tensor, Tensor>> lateral_convs = new();
    private readonly ModuleList<nn.Module<Tensor, Tensor>> fpn_convs = new();
    private readonly ConvModule fpn_bottleneck;
    private readonly Dropout2d dropout;
    private readonly Conv2d conv_seg;
    private readonly long[] poolScales;

    public UperHead(IReadOnlyList<int> inChannels, int numClasses, UperHeadOptions? options = null)
        : base(nameof(UperHead), numClasses)
    {
        if (inChannels.Count < 2) throw new ArgumentException("UperHead needs at least two input levels");
        options ??= new UperHeadOptions();
        var (channels, norm) = (options.Channels, NormKindParser.Parse(options.Norm));
        poolScales = options.PoolScales.Select(s => (long)s).ToArray();
        var top = inChannels[^1];
        foreach (var _ in this.poolScales) psp_modules.Add(new ConvModule(top, channels, 1, norm));
        bottleneck = new ConvModule(top + this.poolScales.Length * channels, channels, 3, norm);
        for (var i = 0; i < inChannels.Count - 1; i++)
        {
            lateral_convs.Add(new ConvModule(inChannels[i], channels, 1, norm));
            fpn_convs.Add(new ConvModule(channels, channels, 3, norm));
        }
        fpn_bottleneck = new ConvModule(inChannels.Count * channels, channels, 3, norm);
        dropout = nn.Dropout2d(options.DropoutRatio);
        conv_seg = CreateClassifier(channels, numClasses);
        RegisterComponents();
    }

    public override Tensor forward(IReadOnlyList<Tensor> inputs)
    {
        var levels = lateral_convs.Count + 1;
        if (inputs.Count < levels) throw new ArgumentException($"UperHead expects {levels} feature maps, got {inputs.Count}");
        var laterals = new List<Tensor>();
        for (var i = 0; i < lateral_convs.Count; i++) laterals.Add(lateral_convs[i].call(inputs[i]));
        laterals.Add(PyramidPooling(inputs[levels - 1]));

        for (var i = levels - 1; i > 0; i--)
        {
            var below = laterals[i - 1];
            laterals[i - 1] = below + Resize(laterals[i], below.shape[2], below.shape[3]);
        }
        var outs = new List<Tensor>();
        for (var i = 0; i < levels - 1; i++) outs.Add(fpn_convs[i].call(laterals[i]));
        outs.Add(laterals[^1]);
        var (h, w) = (outs[0].shape[2], outs[0].shape[3]);
        for (var i = 1; i < outs.Count; i++) outs[i] = Resize(outs[i], h, w);
        var fused = fpn_bottleneck.call(cat(outs, 1));
        return Autocast.Conv2d(conv_seg, dropout.call(fused));
    }

    private Tensor PyramidPooling(Tensor x)
    {
        var branches = new List<Tensor> { x };
        for (var i = 0; i < poolScales.Length; i++)
        {
            var pooled = nn.functional.adaptive_avg_pool2d(x, [poolScales[i], poolScales[i]]);
            branches.Add(Resize(psp_modules[i].call(pooled), x.shape[2], x.shape[3]));
        }
        return bottleneck.call(cat(branches, 1));
    }
}

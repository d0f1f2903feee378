using TorchSharp;
using TorchSharp.Modules;
using VimDense.Layers;
using static TorchSharp.torch;

namespace VimDense.Heads.Segmentation;

/// <summary>
/// mmseg FCNHead, used as the auxiliary head (on the stride-16 map, weight 0.4): <c>numConvs</c> 3×3 ConvModules,
/// optionally concatenated with the input and fused, then Dropout2d and a 1×1 classifier.
/// </summary>
public sealed class FcnHead : DecodeHead
{
    private readonly ModuleList<nn.Module<Tensor, Tensor>> convs = new();
    private readonly ConvModule? conv_cat;
    private readonly Dropout2d dropout;
    private readonly Conv2d conv_seg;
    private readonly int inIndex;

    /// <param name="inChannels">channels of the map at <see cref="FcnHeadOptions.InIndex"/></param>
    public FcnHead(int inChannels, int numClasses, FcnHeadOptions? options = null)
        : base(nameof(FcnHead), numClasses)
    {
        options ??= new FcnHeadOptions();
        var (channels, numConvs, norm) = (options.Channels, options.NumConvs, NormKindParser.Parse(options.Norm));
        inIndex = options.InIndex;
        for (var i = 0; i < numConvs; i++) convs.Add(new ConvModule(i == 0 ? inChannels : channels, channels, 3, norm));
        if (options.ConcatInput) conv_cat = new ConvModule(inChannels + channels, channels, 3, norm);
        dropout = nn.Dropout2d(options.DropoutRatio);
        conv_seg = CreateClassifier(numConvs == 0 ? inChannels : channels, numClasses);
        RegisterComponents();
    }

    public override Tensor forward(IReadOnlyList<Tensor> inputs)
    {
        var x = Select(inputs, inIndex);
        var y = x;
        foreach (var conv in convs) y = conv.call(y);
        if (conv_cat is not null) y = conv_cat.call(cat([x, y], 1));
        return Autocast.Conv2d(conv_seg, dropout.call(y));
    }
}

using TorchSharp;
using TorchSharp.Modules;
using VimDense.Layers;
using static TorchSharp.torch;

namespace VimDense.Heads.Segmentation;

/// <summary>
/// Semantic FPN head (mmseg FPNHead, Kirillov et al. 2019): each level gets max(1, log2(stride/stride₀)) 3×3
/// ConvModules, each followed by a ×2 bilinear upsample while above the finest stride; the levels are summed
/// at the finest stride, then Dropout2d and a 1×1 classifier.
/// </summary>
public sealed class SemanticFpnHead : DecodeHead
{
    private readonly ModuleList<ModuleList<nn.Module<Tensor, Tensor>>> scale_heads = new();
    private readonly Dropout2d dropout;
    private readonly Conv2d conv_seg;
    private readonly int[] upsampleCounts;

    public SemanticFpnHead(IReadOnlyList<int> inChannels, IReadOnlyList<int> featureStrides, int numClasses, SemanticFpnHeadOptions? options = null)
        : base(nameof(SemanticFpnHead), numClasses)
    {
        options ??= new SemanticFpnHeadOptions();
        var (channels, norm) = (options.Channels, NormKindParser.Parse(options.Norm));
        if (inChannels.Count != featureStrides.Count) throw new ArgumentException("SemanticFpnHead: one stride per input");
        upsampleCounts = new int[inChannels.Count];
        for (var i = 0; i < inChannels.Count; i++)
        {
            var ups = (int)Math.Round(Math.Log2(featureStrides[i]) - Math.Log2(featureStrides[0]));
            upsampleCounts[i] = ups;
            var convs = new ModuleList<nn.Module<Tensor, Tensor>>();
            for (var k = 0; k < Math.Max(1, ups); k++) convs.Add(new ConvModule(k == 0 ? inChannels[i] : channels, channels, 3, norm));
            scale_heads.Add(convs);
        }
        dropout = nn.Dropout2d(options.DropoutRatio);
        conv_seg = CreateClassifier(channels, numClasses);
        RegisterComponents();
    }

    public override Tensor forward(IReadOnlyList<Tensor> inputs)
    {
        Tensor? sum = null;
        for (var i = 0; i < scale_heads.Count; i++)
        {
            var x = inputs[i];
            foreach (var conv in scale_heads[i])
            {
                x = conv.call(x);
                if (upsampleCounts[i] > 0) x = Resize(x, x.shape[2] * 2, x.shape[3] * 2);
            }
            if (sum is not null && (x.shape[2] != sum.shape[2] || x.shape[3] != sum.shape[3])) x = Resize(x, sum.shape[2], sum.shape[3]);
            sum = sum is null ? x : sum + x;
        }
        return Autocast.Conv2d(conv_seg, dropout.call(sum!));
    }
}

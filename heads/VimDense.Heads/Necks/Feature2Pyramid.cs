using TorchSharp;
using TorchSharp.Modules;
using VimDense.Heads.Segmentation;
using VimDense.Layers;
using static TorchSharp.torch;

namespace VimDense.Heads.Necks;

/// <summary>
/// The BEiT / Vim deconvolution pyramid (mmseg Feature2Pyramid; fpn1..fpn4 inside hustvl/Vim's seg backbone):
/// for a plain stride-s backbone, rescale 4 = ConvT(2,2) → BN → GELU → ConvT(2,2); 2 = ConvT(2,2); 1 = identity;
/// 0.5 = MaxPool(2); 0.25 = MaxPool(4). Input i goes through branch i; channels stay at the embedding dimension.
/// </summary>
public sealed class Feature2Pyramid : Neck
{
    private readonly ModuleList<nn.Module<Tensor, Tensor>> branches = new();
    private readonly int[] channels;
    private readonly int[] strides;

    public Feature2Pyramid(int embedDim, int inputStride, Feature2PyramidOptions? options = null)
        : base(nameof(Feature2Pyramid))
    {
        options ??= new Feature2PyramidOptions();
        var (scales, norm) = (options.Rescales, NormKindParser.Parse(options.Norm));
        foreach (var scale in scales) branches.Add(Branch(embedDim, scale, norm));
        channels = scales.Select(_ => embedDim).ToArray();
        strides = scales.Select(s => (int)Math.Round(inputStride / s)).ToArray();
        RegisterComponents();
    }

    public override IReadOnlyList<int> OutChannels => channels;
    public override IReadOnlyList<int> OutStrides => strides;

    public override IReadOnlyList<Tensor> forward(IReadOnlyList<Tensor> inputs)
    {
        var xs = Replicate(inputs, branches.Count);
        return xs.Select((x, i) => Autocast.Forward(branches[i], x)).ToList();
    }

    private static nn.Module<Tensor, Tensor> Branch(int dim, double scale, NormKind norm)
    {
        ConvTranspose2d Up() => nn.ConvTranspose2d(dim, dim, 2, stride: 2);
        switch (scale)
        {
            case 4:
                var layers = new List<(string, nn.Module<Tensor, Tensor>)> { ("0", Up()) };
                if (norm != NormKind.None) layers.Add(("1", NormKinds.Create(norm, dim)));
                layers.Add(("2", nn.GELU()));
                layers.Add(("3", Up()));
                return nn.Sequential(layers);
            case 2: return nn.Sequential(("0", Up()));
            case 1: return nn.Identity();
            case 0.5: return nn.MaxPool2d(2, 2);
            case 0.25: return nn.MaxPool2d(4, 4);
            default: throw new ArgumentException($"Feature2Pyramid rescale {scale}: expected 4, 2, 1, 0.5 or 0.25");
        }
    }
}

using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace VimDense.Heads.Necks;

/// <summary>
/// mmseg MultiLevelNeck (ViT/DeiT UperNet): per level a plain 1×1 conv, bilinear interpolation by scales[i]
/// (×4, ×2, ×1, ×0.5 — downsampling too is interpolation), then a plain 3×3 conv; no norm, no activation,
/// Xavier-uniform init.
/// </summary>
public sealed class MultiLevelNeck : Neck
{
    private readonly ModuleList<Conv2d> lateral_convs = new();
    private readonly ModuleList<Conv2d> convs = new();
    private readonly double[] scales;
    private readonly int[] channels;
    private readonly int[] strides;

    public MultiLevelNeck(IReadOnlyList<int> inChannels, int inputStride, MultiLevelNeckOptions? options = null)
        : base(nameof(MultiLevelNeck))
    {
        options ??= new MultiLevelNeckOptions();
        var outChannels = options.OutChannels;
        scales = options.Rescales.ToArray();
        var ins = inChannels.Count == 1 ? Enumerable.Repeat(inChannels[0], this.scales.Length).ToList() : inChannels.ToList();
        if (ins.Count != this.scales.Length) throw new ArgumentException("MultiLevelNeck: one input channel count per scale");
        foreach (var c in ins)
        {
            lateral_convs.Add(nn.Conv2d(c, outChannels, 1));
            convs.Add(nn.Conv2d(outChannels, outChannels, 3, padding: 1));
        }
        using (no_grad())
            foreach (var conv in lateral_convs.Concat(convs))
            {
                nn.init.xavier_uniform_(conv.weight);
                nn.init.zeros_(conv.bias!);
            }
        channels = this.scales.Select(_ => outChannels).ToArray();
        strides = this.scales.Select(s => (int)Math.Round(inputStride / s)).ToArray();
        RegisterComponents();
    }

    public override IReadOnlyList<int> OutChannels => channels;
    public override IReadOnlyList<int> OutStrides => strides;

    public override IReadOnlyList<Tensor> forward(IReadOnlyList<Tensor> inputs)
    {
        var xs = Replicate(inputs, scales.Length);
        var outs = new List<Tensor>();
        for (var i = 0; i < scales.Length; i++)
        {
            var x = lateral_convs[i].call(xs[i]);
            if (scales[i] != 1)
            {
                long h = (long)Math.Floor(x.shape[2] * scales[i]), w = (long)Math.Floor(x.shape[3] * scales[i]);
                x = nn.functional.interpolate(x, size: [h, w], mode: InterpolationMode.Bilinear, align_corners: false);
            }
            outs.Add(convs[i].call(x));
        }
        return outs;
    }
}

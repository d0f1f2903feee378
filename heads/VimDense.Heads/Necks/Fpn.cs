using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace VimDense.Heads.Necks;

/// <summary>
/// Feature pyramid network (mmdet/mmseg FPN without extra levels): lateral 1×1 convs to <c>outChannels</c> (256),
/// a top-down pathway adding nearest-upsampled coarser laterals, then a 3×3 conv per level; plain convs with bias,
/// Xavier-uniform init. Use it after a multi-scale backbone or after Feature2Pyramid.
/// </summary>
public sealed class Fpn : Neck
{
    private readonly ModuleList<Conv2d> lateral_convs = new();
    private readonly ModuleList<Conv2d> fpn_convs = new();
    private readonly int[] channels;
    private readonly int[] strides;

    public Fpn(IReadOnlyList<int> inChannels, IReadOnlyList<int> inStrides, int outChannels = 256) : base(nameof(Fpn))
    {
        foreach (var c in inChannels)
        {
            lateral_convs.Add(nn.Conv2d(c, outChannels, 1));
            fpn_convs.Add(nn.Conv2d(outChannels, outChannels, 3, padding: 1));
        }
        using (no_grad())
            foreach (var conv in lateral_convs.Concat(fpn_convs))
            {
                nn.init.xavier_uniform_(conv.weight);
                nn.init.zeros_(conv.bias!);
            }
        channels = inChannels.Select(_ => outChannels).ToArray();
        strides = inStrides.ToArray();
        RegisterComponents();
    }

    public override IReadOnlyList<int> OutChannels => channels;
    public override IReadOnlyList<int> OutStrides => strides;

    public override IReadOnlyList<Tensor> forward(IReadOnlyList<Tensor> inputs)
    {
        if (inputs.Count != lateral_convs.Count) throw new ArgumentException($"FPN expects {lateral_convs.Count} maps, got {inputs.Count}");
        var laterals = inputs.Select((x, i) => lateral_convs[i].call(x)).ToList();
        for (var i = laterals.Count - 1; i > 0; i--)
        {
            var below = laterals[i - 1];
            laterals[i - 1] = below + nn.functional.interpolate(laterals[i], size: [below.shape[2], below.shape[3]], mode: InterpolationMode.Nearest);
        }
        return laterals.Select((x, i) => fpn_convs[i].call(x)).ToList();
    }
}

using TorchSharp.Modules;
using static TorchSharp.torch;

namespace VimDense.Cli.Bench;

/// <summary>
/// A minimal stand-in for the dense-prediction neck cost in `bench backbone --neck fpn` (paper Fig. 3/4:
/// backbone + FPN): the BEiT/Vim multi-scale adapter on four stride-16 maps (2x ConvTranspose → stride 4,
/// ConvTranspose → 8, identity → 16, max-pool → 32) followed by FPN lateral 1x1 and output 3x3 convs to 256
/// channels with the top-down sum. The real necks live in VimDense.Heads; this only has to cost the same order.
/// </summary>
internal sealed class BenchFpnNeck : nn.Module<Tensor[], Tensor[]>
{
    private readonly Sequential up4;
    private readonly ConvTranspose2d up2;
    private readonly ModuleList<Conv2d> lateral;
    private readonly ModuleList<Conv2d> output;

    public BenchFpnNeck(int channels, int outChannels = 256) : base(nameof(BenchFpnNeck))
    {
        up4 = nn.Sequential(nn.ConvTranspose2d(channels, channels, 2, stride: 2), nn.BatchNorm2d(channels), nn.GELU(),
            nn.ConvTranspose2d(channels, channels, 2, stride: 2));
        up2 = nn.ConvTranspose2d(channels, channels, 2, stride: 2);
        lateral = nn.ModuleList(Enumerable.Range(0, 4).Select(_ => nn.Conv2d(channels, outChannels, 1)).ToArray());
        output = nn.ModuleList(Enumerable.Range(0, 4).Select(_ => nn.Conv2d(outChannels, outChannels, 3, padding: 1)).ToArray());
        RegisterComponents();
    }

    public override Tensor[] forward(Tensor[] maps)
    {
        if (maps.Length != 4) throw new ArgumentException("the bench neck takes four maps");
        using var scope = NewDisposeScope();
        var levels = new[] { up4.forward(maps[0]), up2.forward(maps[1]), maps[2], nn.functional.max_pool2d(maps[3], 2) };
        var laterals = levels.Select((level, i) => lateral[i].call(level)).ToArray();
        for (var i = 3; i > 0; i--)
            laterals[i - 1] = laterals[i - 1] + nn.functional.interpolate(laterals[i], size: [laterals[i - 1].shape[2], laterals[i - 1].shape[3]]);
        return laterals.Select((l, i) => output[i].call(l).MoveToOuterDisposeScope()).ToArray();
    }
}

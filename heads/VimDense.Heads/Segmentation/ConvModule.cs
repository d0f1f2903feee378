using TorchSharp;
using TorchSharp.Modules;
using VimDense.Layers;
using static TorchSharp.torch;

namespace VimDense.Heads.Segmentation;

/// <summary>
/// mmcv's ConvModule: convolution (with a bias only when there is no norm) → optional BatchNorm (synchronised across ranks for SyncBN) → optional ReLU,
/// with Kaiming-normal (fan_out, relu) initialisation and norm weight 1 / bias 0.
/// Parameter names follow mmcv (conv.weight, bn.weight, ...).
/// </summary>
public sealed class ConvModule : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv;
    private readonly nn.Module<Tensor, Tensor>? bn;
    private readonly bool relu;

    public ConvModule(long inChannels, long outChannels, long kernelSize, NormKind norm = NormKind.BatchNorm, bool relu = true)
        : base(nameof(ConvModule))
    {
        var withNorm = norm != NormKind.None;
        conv = nn.Conv2d(inChannels, outChannels, kernelSize, padding: kernelSize / 2, bias: !withNorm);
        if (withNorm) bn = NormKinds.Create(norm, outChannels);
        this.relu = relu;
        RegisterComponents();
        using (no_grad())
        {
            nn.init.kaiming_normal_(conv.weight, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU);
            if (conv.bias is not null) nn.init.zeros_(conv.bias);
        }
    }

    public override Tensor forward(Tensor input)
    {
        var x = Autocast.Conv2d(conv, input);
        if (bn is not null) x = bn.call(Autocast.Float(x)); // batch statistics in float32
        return relu ? nn.functional.relu(x) : x;
    }
}

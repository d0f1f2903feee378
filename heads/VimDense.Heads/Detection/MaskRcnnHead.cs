using TorchSharp;
using TorchSharp.Modules;
using VimDense.Heads.Necks;
using static TorchSharp.torch;

namespace VimDense.Heads.Detection;

/// <summary>
/// detectron2's MaskRCNNConvUpsampleHead with LN: mask_fcn1..4 (3×3, no bias, LN, ReLU), deconv 2×2
/// stride 2 + ReLU, predictor 1×1 to one logit map per class (14×14 pooled → 28×28 masks).
/// </summary>
public sealed class MaskRcnnHead : nn.Module<Tensor, Tensor>
{
    private readonly List<NormedConv2d> _convs = [];
    private readonly ConvTranspose2d deconv;
    private readonly Conv2d predictor;

    public MaskRcnnHead(int inChannels, int numClasses, int convDim = 256, int convLayers = 4) : base(nameof(MaskRcnnHead))
    {
        var channels = inChannels;
        for (var i = 0; i < convLayers; i++)
        {
            var conv = new NormedConv2d(channels, convDim, 3, bias: false, layerNorm: true, relu: true);
            register_module($"mask_fcn{i + 1}", conv);
            _convs.Add(conv);
            channels = convDim;
        }
        deconv = nn.ConvTranspose2d(channels, convDim, 2, stride: 2);
        predictor = nn.Conv2d(convDim, numClasses, 1);
        register_module("deconv", deconv);
        register_module("predictor", predictor);
        using (no_grad())
        {
            nn.init.kaiming_normal_(deconv.weight, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU);
            nn.init.zeros_(deconv.bias!);
            nn.init.normal_(predictor.weight, 0, 0.001);
            nn.init.zeros_(predictor.bias!);
        }
    }

    /// <summary>Mask logits (R, K, 2S, 2S) of pooled features (R, C, S, S).</summary>
    public override Tensor forward(Tensor x)
    {
        foreach (var conv in _convs) x = conv.call(x);
        return predictor.call(nn.functional.relu(deconv.call(x)));
    }

    /// <summary>Logits of each box's own class: (R, M, M) from (R, K, M, M).</summary>
    public static Tensor SelectClass(Tensor logits, Tensor classes) =>
        logits[arange(logits.shape[0], device: logits.device), classes];
}

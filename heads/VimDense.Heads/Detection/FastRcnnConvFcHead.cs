using TorchSharp;
using TorchSharp.Modules;
using VimDense.Heads.Necks;
using static TorchSharp.torch;

namespace VimDense.Heads.Detection;

/// <summary>
/// detectron2's FastRCNNConvFCHead as used by ViTDet's cascade ("4conv1fc", LN): conv1..convN 3×3
/// (no bias, channel LN, ReLU), flatten, fc1 + ReLU.
/// </summary>
public sealed class FastRcnnConvFcHead : nn.Module<Tensor, Tensor>
{
    private readonly List<NormedConv2d> _convs = [];
    private readonly Linear fc1;

    public FastRcnnConvFcHead(int inChannels, int poolSize, int convDim = 256, int convLayers = 4, int fcDim = 1024)
        : base(nameof(FastRcnnConvFcHead))
    {
        var channels = inChannels;
        for (var i = 0; i < convLayers; i++)
        {
            var conv = new NormedConv2d(channels, convDim, 3, bias: false, layerNorm: true, relu: true);
            register_module($"conv{i + 1}", conv);
            _convs.Add(conv);
            channels = convDim;
        }
        fc1 = nn.Linear(channels * poolSize * poolSize, fcDim);
        register_module("fc1", fc1);
        OutputDim = fcDim;
    }

    public int OutputDim { get; }

    public override Tensor forward(Tensor x)
    {
        foreach (var conv in _convs) x = conv.call(x);
        return nn.functional.relu(fc1.call(x.flatten(1)));
    }
}

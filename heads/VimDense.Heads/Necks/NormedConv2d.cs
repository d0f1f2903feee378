using TorchSharp;
using VimDense.Layers;
using static TorchSharp.torch;

namespace VimDense.Heads.Necks;

/// <summary>
/// A 2-D convolution followed by an optional channel LayerNorm and activation, laid out like
/// detectron2's <c>layers.Conv2d</c> (<c>weight</c>, <c>bias</c>, child <c>norm</c>), so ViTDet-style
/// state dicts load by name. Weights get detectron2's c2_xavier_fill (Kaiming-uniform, a = 1).
/// </summary>
public sealed class NormedConv2d : nn.Module<Tensor, Tensor>
{
    private readonly long _padding;
    private readonly bool _relu;

    public NormedConv2d(long inChannels, long outChannels, long kernelSize, bool bias, bool layerNorm, bool relu)
        : base(nameof(NormedConv2d))
    {
        _padding = kernelSize / 2;
        _relu = relu;
        weight = nn.Parameter(empty(outChannels, inChannels, kernelSize, kernelSize));
        using (no_grad()) nn.init.kaiming_uniform_(weight, a: 1);
        register_parameter("weight", weight);
        if (bias)
        {
            this.bias = nn.Parameter(zeros(outChannels));
            register_parameter("bias", this.bias);
        }
        if (layerNorm)
        {
            norm = new LayerNorm2d(outChannels);
            register_module("norm", norm);
        }
    }

    // Fields named as the reference state dicts: Module.to() replaces the registered tensors and assigns the field of
    // the same name, which a property's backing field is not.
#pragma warning disable IDE1006
    private TorchSharp.Modules.Parameter weight;
    private TorchSharp.Modules.Parameter? bias;
    private readonly LayerNorm2d? norm;
#pragma warning restore IDE1006

    public TorchSharp.Modules.Parameter Weight => weight;
    public TorchSharp.Modules.Parameter? Bias => bias;
    public LayerNorm2d? Norm => norm;

    public override Tensor forward(Tensor x)
    {
        var y = nn.functional.conv2d(x, weight, bias, padding: [_padding, _padding]);
        if (norm is not null) y = norm.call(y);
        return _relu ? nn.functional.relu(y) : y;
    }
}

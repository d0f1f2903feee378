using TorchSharp;
using static TorchSharp.torch;

namespace VimDense.Layers;

/// <summary>
/// Channel LayerNorm of (N, C, H, W) maps: every pixel's C values are normalised to zero mean and unit
/// variance, then scaled and shifted per channel (detectron2's <c>layers.LayerNorm</c>, ConvNeXt style;
/// "LN" in ViTDet's SimpleFeaturePyramid and heads). Parameters <c>weight</c> and <c>bias</c>.
/// </summary>
public sealed class LayerNorm2d : nn.Module<Tensor, Tensor>
{
    private readonly double _eps;

    public LayerNorm2d(long channels, double eps = 1e-6) : base(nameof(LayerNorm2d))
    {
        _eps = eps;
        weight = nn.Parameter(ones(channels));
        bias = nn.Parameter(zeros(channels));
        register_parameter("weight", weight);
        register_parameter("bias", bias);
    }

    // Fields named as the registered parameters (the reference state dict's names): Module.to() replaces the
    // registered tensors and assigns the field of the same name, which a property's backing field is not.
#pragma warning disable IDE1006
    private TorchSharp.Modules.Parameter weight;
    private TorchSharp.Modules.Parameter bias;
#pragma warning restore IDE1006

    /// <summary>Per-channel scale (C).</summary>
    public TorchSharp.Modules.Parameter Weight => weight;

    /// <summary>Per-channel shift (C).</summary>
    public TorchSharp.Modules.Parameter Bias => bias;

    public override Tensor forward(Tensor x)
    {
        if (x.dim() != 4 || x.shape[1] != weight.shape[0])
            throw new ArgumentException($"LayerNorm2d({weight.shape[0]}) expects (N, {weight.shape[0]}, H, W), got [{string.Join(", ", x.shape)}]", nameof(x));
        // libtorch's layer_norm over the channels of the pixel-major view: its backward keeps the input and two
        // numbers per pixel, where the formula spelled out in ops (detectron2's) keeps three full copies of the map.
        // In the parameters' type (layer_norm takes no mixed types; Autocast already hands norms float32); NCHW out.
        using var scope = NewDisposeScope();
        var y = nn.functional.layer_norm(x.to(weight.dtype).permute(0, 2, 3, 1), [weight.shape[0]], weight, bias, _eps);
        return y.permute(0, 3, 1, 2).contiguous().MoveToOuterDisposeScope();
    }
}

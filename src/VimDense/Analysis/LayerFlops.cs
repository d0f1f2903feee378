using TorchSharp.Modules;
using static TorchSharp.torch;

namespace VimDense.Analysis;

/// <summary>
/// The multiply-add counts of single layers, as fvcore counts them: a convolution or linear layer costs one per
/// weight element per output position (bias and activation free), a transposed convolution one per weight element
/// per input position, attention its two matrix products; norms (only when asked) 5 per element with an affine
/// transform and 4 without (LayerNorm, GroupNorm, RMSNorm), an inference BatchNorm 2 per element (1 without affine).
/// </summary>
public static class LayerFlops
{
    /// <summary>Convolution (1-D or 2-D, any groups): output elements × the weights one output element sees.</summary>
    public static double Convolution(Tensor weight, Tensor output) => (double)output.numel() * (weight.numel() / weight.shape[0]);

    /// <summary>Transposed convolution (weight (C_in, C_out/groups, k…)): input elements × the weights one input element feeds.</summary>
    public static double TransposedConvolution(Tensor weight, Tensor input) => (double)input.numel() * (weight.numel() / weight.shape[0]);

    /// <summary>Linear layer (weight (out, in)): output elements × input features.</summary>
    public static double Linear(Tensor weight, Tensor output) => (double)output.numel() * weight.shape[1];

    /// <summary>Softmax attention over a (B, N, C) token tensor: q·kᵀ and weights·v, B·N²·C each, whatever the head count or kernel.</summary>
    public static double Attention(Tensor tokens) => 2.0 * tokens.shape[0] * tokens.shape[1] * tokens.shape[1] * tokens.shape[2];

    /// <summary>LayerNorm, GroupNorm, RMSNorm (fvcore's norm count).</summary>
    public static double Norm(Tensor input, bool affine) => (double)input.numel() * (affine ? 5 : 4);

    /// <summary>BatchNorm at inference (fvcore's count): a scale and a shift per element.</summary>
    public static double InferenceBatchNorm(Tensor input, bool affine) => (double)input.numel() * (affine ? 2 : 1);

    /// <summary>The rules of torch's layers: convolutions and linear layers, and the norms when <paramref name="countNorms"/>.</summary>
    internal static IEnumerable<(Type Type, FlopRule Rule)> TorchRules(bool countNorms)
    {
        yield return (typeof(Conv1d), (m, _, o) => Own(Convolution(((Conv1d)m).weight!, (Tensor)o)));
        yield return (typeof(Conv2d), (m, _, o) => Own(Convolution(((Conv2d)m).weight!, (Tensor)o)));
        yield return (typeof(ConvTranspose2d), (m, i, _) => Own(TransposedConvolution(((ConvTranspose2d)m).weight!, (Tensor)i)));
        yield return (typeof(Linear), (m, _, o) => Own(Linear(((Linear)m).weight!, (Tensor)o)));
        if (!countNorms) yield break;
        yield return (typeof(LayerNorm), (m, i, _) => Own(Norm((Tensor)i, HasParameters(m))));
        yield return (typeof(GroupNorm), (m, i, _) => Own(Norm((Tensor)i, HasParameters(m))));
        yield return (typeof(BatchNorm1d), (m, i, _) => Own(InferenceBatchNorm((Tensor)i, HasParameters(m))));
        yield return (typeof(BatchNorm2d), (m, i, _) => Own(InferenceBatchNorm((Tensor)i, HasParameters(m))));
    }

    /// <summary>A rule's result for work of the module itself.</summary>
    public static IEnumerable<(string Path, double MultiplyAdds)> Own(double multiplyAdds) => [("", multiplyAdds)];

    /// <summary>Whether the module has its own parameters (a norm's affine transform).</summary>
    public static bool HasParameters(nn.Module module) => module.named_parameters(recurse: false).Any();
}

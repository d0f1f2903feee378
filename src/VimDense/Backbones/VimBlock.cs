using VimDense.Layers;
using VimDense.Ops;
using static TorchSharp.torch;

namespace VimDense.Backbones;

/// <summary>
/// The Vim block, "add, then norm, then mix" (models_mamba.Block): the carried residual absorbs the previous
/// block's (drop-path'ed) mixer output, is normalised by RMSNorm and mixed. Returns (mixer output, residual);
/// the full stream after the block is their sum, materialised only by the next block or the final norm.
/// Tensors are channels-first (B, D, L); the residual stays float32.
/// </summary>
public sealed class VimBlock : nn.Module
{
    private readonly BiMambaMixer mixer;
    private readonly RMSNorm norm;
    private readonly DropPath drop_path;

    public VimBlock(BiMambaMixer mixer, int dModel, double dropPathRate, double normEps = 1e-5) : base(nameof(VimBlock))
    {
        this.mixer = mixer;
        norm = new RMSNorm(dModel, normEps, channelDim: 1);
        drop_path = new DropPath(dropPathRate);
        RegisterComponents();
    }

    public BiMambaMixer Mixer => mixer;

    /// <param name="hidden">Previous block's mixer output, or the embedded tokens for the first block.</param>
    /// <param name="residual">Previous residual, null for the first block.</param>
    /// <param name="releaseInputs">
    /// the caller gives up both inputs: they are freed as soon as they are added and normalised, before the mixer
    /// allocates its buffers (Vim-Ti at 1248²: 9 MiB less at the peak)
    /// </param>
    public (Tensor Hidden, Tensor Residual) Forward(Tensor hidden, Tensor? residual, bool releaseInputs = false)
    {
        // Inference (eval mode, nothing to record): the native fused add + norm, same values to rounding, its output
        // already in the autocast type in_proj lowers to. Not in a training-mode forward without a graph: activation
        // recomputation reruns that forward with a graph, and the two must agree bit for bit.
        var (newResidual, normalised) =
            ResidualRmsNorm.Enabled && !training &&
            ResidualRmsNorm.Applies(hidden, residual, norm.Weight)
                ? ResidualRmsNorm.Apply(hidden, residual, norm.Weight, norm.Eps, Autocast.Active ?? ScalarType.Float32)
                : AddAndNormalise(hidden, residual);
        if (releaseInputs)
        {
            hidden.Dispose();
            residual?.Dispose();
        }
        using (normalised) return (mixer.call(normalised), newResidual);
    }

    /// <summary>The differentiable add + norm (library ops; training, or inputs the fused kernel does not take).</summary>
    private (Tensor Residual, Tensor Normalised) AddAndNormalise(Tensor hidden, Tensor? residual)
    {
        using var timed = OpProfiler.Scope(OpCategory.NormResidual);
        Tensor newResidual;
        if (residual is null) newResidual = hidden.to_type(ScalarType.Float32, copy: true);
        else
        {
            // No dtype-conversion handle on the float32 path: an extra alias would keep the old residual alive.
            using var dropped = drop_path.call(hidden);
            newResidual = residual.dtype == ScalarType.Float32 ? residual.add(dropped) : residual.to_type(ScalarType.Float32).add_(dropped);
        }
        return (newResidual, norm.call(newResidual));
    }
}

using TorchSharp;
using VimDense.Layers;
using static TorchSharp.torch;

namespace VimDense.Heads.Segmentation;

/// <summary>Builds the 2-D norm layer of a <see cref="NormKind"/> (BN, SyncBN); both keep BatchNorm2d's parameter names.</summary>
public static class NormKinds
{
    public static nn.Module<Tensor, Tensor> Create(NormKind kind, long channels) => kind switch
    {
        NormKind.BatchNorm => nn.BatchNorm2d(channels),
        NormKind.SyncBatchNorm => new SyncBatchNorm2d(channels),
        _ => throw new ArgumentException($"norm {kind} has no layer", nameof(kind)),
    };
}

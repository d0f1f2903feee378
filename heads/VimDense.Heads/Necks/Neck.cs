using TorchSharp;
using static TorchSharp.torch;

namespace VimDense.Heads.Necks;

/// <summary>
/// Turns a backbone's feature maps into the multi-scale maps a head consumes. <see cref="OutChannels"/> and
/// <see cref="OutStrides"/> describe the outputs, given the backbone's strides at construction.
/// </summary>
public abstract class Neck(string name) : nn.Module<IReadOnlyList<Tensor>, IReadOnlyList<Tensor>>(name)
{
    public abstract IReadOnlyList<int> OutChannels { get; }
    public abstract IReadOnlyList<int> OutStrides { get; }

    /// <summary>Whether a detector recomputes this neck in backward (model.neck.checkpoint) instead of keeping its activations.</summary>
    public bool Checkpoint { get; init; }

    /// <summary>A plain backbone may return one map; necks with several branches then feed it to all of them.</summary>
    protected static IReadOnlyList<Tensor> Replicate(IReadOnlyList<Tensor> inputs, int count)
    {
        if (inputs.Count == count) return inputs;
        if (inputs.Count == 1) return Enumerable.Repeat(inputs[0], count).ToList();
        throw new ArgumentException($"neck expects {count} feature maps (or 1), got {inputs.Count}");
    }
}

using TorchSharp;
using VimDense.Checkpoints.Pickle;

namespace VimDense.Checkpoints;

/// <summary>A torch.save file in one of its layouts: the pickled graph and the storages its tensors view.</summary>
internal interface ITorchFile : IDisposable
{
    /// <summary>The unpickled object graph, with <see cref="TensorRef"/> where tensors are.</summary>
    object? ReadGraph();

    /// <summary>The tensor a reference describes: a strided view of its (shared) storage.</summary>
    torch.Tensor Materialize(TensorRef tensor);
}

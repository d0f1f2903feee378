using TorchSharp;
using static TorchSharp.torch;

namespace VimDense.Engine.Distributed;

/// <summary>Makes every rank start from rank 0's weights: parameters and buffers (and EMA copies) broadcast in place.</summary>
public static class ModuleBroadcast
{
    public static void FromRoot(IProcessGroup group, nn.Module model, IEnumerable<Tensor>? extra = null)
    {
        if (group.Size == 1) return;
        using var _ = no_grad();
        // state_dict order is the module's registration order, the same on every rank of the same model.
        foreach (var (_, tensor) in model.state_dict()) group.Broadcast(tensor);
        foreach (var tensor in extra ?? []) group.Broadcast(tensor);
    }
}

using static TorchSharp.torch;

namespace VimDense.Tests.Checkpoints;

/// <summary>fc (Linear 3→2), norm (LayerNorm 2) and a persistent buffer "running": the module of Data/official_like.pth.</summary>
internal sealed class SmallModule : nn.Module
{
    public readonly TorchSharp.Modules.Linear fc = nn.Linear(3, 2);
    public readonly TorchSharp.Modules.LayerNorm norm = nn.LayerNorm(2);

    public SmallModule() : base(nameof(SmallModule))
    {
        register_buffer("running", zeros(2));
        RegisterComponents();
    }
}

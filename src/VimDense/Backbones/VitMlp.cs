using TorchSharp.Modules;
using VimDense.Layers;
using static TorchSharp.torch;

namespace VimDense.Backbones;

/// <summary>The ViT MLP: fc1 (D → 4D), GELU, fc2 (4D → D) with timm's names.</summary>
public sealed class VitMlp : nn.Module<Tensor, Tensor>
{
    private readonly Linear fc1;
    private readonly Linear fc2;

    public VitMlp(int dim, int hidden) : base(nameof(VitMlp))
    {
        fc1 = nn.Linear(dim, hidden);
        fc2 = nn.Linear(hidden, dim);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var h = Autocast.Linear(fc1, x);
        using var a = nn.functional.gelu(h);
        return Autocast.Linear(fc2, a);
    }
}

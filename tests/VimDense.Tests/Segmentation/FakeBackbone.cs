using TorchSharp;
using TorchSharp.Modules;
using VimDense.Backbones;
using VimDense.Checkpoints;
using static TorchSharp.torch;

namespace VimDense.Tests.Segmentation;

/// <summary>A tiny stride-16 conv stack standing in for a plain backbone: four maps of <c>dim</c> channels.</summary>
internal sealed class FakeBackbone : nn.Module<Tensor, Tensor>, IBackbone
{
    private readonly Conv2d patch_embed;
    private readonly ModuleList<Conv2d> layers = new();

    public FakeBackbone(int dim = 8, int depth = 4) : base(nameof(FakeBackbone))
    {
        patch_embed = nn.Conv2d(3, dim, 16, stride: 16);
        for (var i = 0; i < depth; i++) layers.Add(nn.Conv2d(dim, dim, 3, padding: 1));
        RegisterComponents();
    }

    public IReadOnlyList<int> Channels => layers.Select(_ => (int)patch_embed.out_channels).ToArray();
    public IReadOnlyList<int> Strides => layers.Select(_ => 16).ToArray();
    public nn.Module Module => this;
    /// <summary>Ignored: this test backbone has no blocks to recompute.</summary>
    public RecomputedBlocks CheckpointLayers { get; set; }

    public Tensor ForwardFeatures(Tensor images) => ForwardIntermediates(images)[^1].mean([2, 3]);

    public IReadOnlyList<Tensor> ForwardIntermediates(Tensor images)
    {
        var x = patch_embed.forward(images);
        var outs = new List<Tensor>();
        foreach (var layer in layers)
        {
            x = nn.functional.gelu(layer.forward(x)) + x;
            outs.Add(x);
        }
        return outs;
    }

    public override Tensor forward(Tensor images) => ForwardIntermediates(images)[^1];

    public LoadReport Load(string checkpoint, bool strict = false) => throw new NotSupportedException();
}

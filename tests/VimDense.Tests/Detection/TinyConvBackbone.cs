using TorchSharp;
using TorchSharp.Modules;
using VimDense.Backbones;
using VimDense.Checkpoints;
using static TorchSharp.torch;

namespace VimDense.Tests.Detection;

/// <summary>A four-layer stride-16 conv net standing in for Vim/DeiT in detector tests (no checkpoints).</summary>
internal sealed class TinyConvBackbone : nn.Module<Tensor, Tensor>, IBackbone
{
    private readonly Sequential layers;

    public TinyConvBackbone(int channels = 64) : base(nameof(TinyConvBackbone))
    {
        layers = nn.Sequential(
            nn.Conv2d(3, 16, 3, stride: 2, padding: 1), nn.ReLU(),
            nn.Conv2d(16, 32, 3, stride: 2, padding: 1), nn.ReLU(),
            nn.Conv2d(32, 48, 3, stride: 2, padding: 1), nn.ReLU(),
            nn.Conv2d(48, channels, 3, stride: 2, padding: 1));
        Channels = [channels];
        RegisterComponents();
    }

    public IReadOnlyList<int> Channels { get; }
    public IReadOnlyList<int> Strides { get; } = [16];
    public nn.Module Module => this;
    /// <summary>Ignored: this test backbone has no blocks to recompute.</summary>
    public RecomputedBlocks CheckpointLayers { get; set; }
    public IReadOnlyList<Tensor> ForwardIntermediates(Tensor images) => [forward(images)];
    public Tensor ForwardFeatures(Tensor images) => forward(images).mean([2, 3]);
    public override Tensor forward(Tensor images) => layers.forward(images);

    public LoadReport Load(string checkpoint, bool strict = false) =>
        throw new NotSupportedException("the test backbone has no checkpoints");
}

using TorchSharp;
using VimDense.Checkpoints;
using static TorchSharp.torch;

namespace VimDense.Backbones;

/// <summary>
/// A feature extractor for dense prediction. Heads and necks see only this interface, so Vim and
/// DeiT/ViT are interchangeable. Implementations are TorchSharp modules (<see cref="Module"/>) whose
/// parameter names follow the reference state dicts, so official checkpoints load without renaming.
/// </summary>
public interface IBackbone
{
    /// <summary>Channels of each returned feature map.</summary>
    IReadOnlyList<int> Channels { get; }

    /// <summary>Stride (input pixels per feature pixel) of each returned feature map.</summary>
    IReadOnlyList<int> Strides { get; }

    /// <summary>The module holding the parameters (for optimizers, train/eval mode, devices, state dicts).</summary>
    nn.Module Module { get; }

    /// <summary>
    /// Dense mode: the feature maps (B, Channels[i], H / Strides[i], W / Strides[i]) of the configured blocks for
    /// images (B, 3, H, W) (timm's forward_intermediates).
    /// </summary>
    IReadOnlyList<Tensor> ForwardIntermediates(Tensor images);

    /// <summary>
    /// Blocks whose activations are recomputed in backward instead of kept (model.backbone.checkpoint_layers); only
    /// training with gradients is affected. Set after construction: it changes memory and time, never the result.
    /// </summary>
    RecomputedBlocks CheckpointLayers { get; set; }

    /// <summary>Classification mode: the pooled, normalised feature (B, D) the classifier reads (timm's forward_features + pooling).</summary>
    Tensor ForwardFeatures(Tensor images);

    /// <summary>
    /// Imports pretrained weights (.pth or .safetensors), adapting them to this configuration
    /// (position embeddings resized to the configured grid, classification head dropped).
    /// </summary>
    LoadReport Load(string checkpoint, bool strict = false);
}

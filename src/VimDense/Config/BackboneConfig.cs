using VimDense.Backbones;

namespace VimDense.Config;

/// <summary>Backbone by registered name, its options, and the pretrained checkpoint to start from.</summary>
public sealed class BackboneConfig
{
    public string Type { get; set; } = "vim_tiny";
    /// <summary>ImageNet checkpoint (.pth or .safetensors) given by the user; null trains from scratch.</summary>
    public string? Pretrained { get; set; }
    /// <summary>Fail when the checkpoint does not match the model exactly.</summary>
    public bool StrictLoad { get; set; }
    public BackboneOptions Options { get; set; } = new() { ImgSize = 512, Dense = true };
}

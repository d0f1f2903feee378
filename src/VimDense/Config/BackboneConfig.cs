namespace VimDense.Config;

/// <summary>
/// Backbone by registered name (a variant such as vim_tiny or deit_small), its family's options (bound from
/// <see cref="Options"/> by the backbone registry), and the pretrained checkpoint to start from.
/// </summary>
public sealed class BackboneConfig
{
    public string Type { get; set; } = "vim_tiny";
    /// <summary>ImageNet checkpoint (.pth or .safetensors) given by the user; null trains from scratch.</summary>
    public string? Pretrained { get; set; }
    /// <summary>Fail when the checkpoint does not match the model exactly.</summary>
    public bool StrictLoad { get; set; }
    /// <summary>model.backbone.options; when the key is absent, a 512-pixel input (the seg recipes' size).</summary>
    /// <summary>
    /// Activation recomputation (model.backbone.checkpoint_layers): false, true (every block) or N (the first N blocks)
    /// keep only each block's inputs in forward and rerun the block in backward; fp32 gradients are bit-identical.
    /// </summary>
    [Newtonsoft.Json.JsonConverter(typeof(RecomputedBlocksConverter))]
    public Backbones.RecomputedBlocks CheckpointLayers { get; set; }
    public ConfigSection Options { get; set; } = ConfigSection.Parse("model.backbone.options", """{ "img_size": 512 }""");
}

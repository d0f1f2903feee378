namespace VimDense.Config;

/// <summary>AdamW with layer-wise learning-rate decay and no-weight-decay rules.</summary>
public sealed class OptimizerConfig
{
    public string Type { get; set; } = "adamw";
    [Min(0), Finite]
    public double Lr { get; set; } = 1e-4;
    [Count(2), Min(0), Max(1)]
    public List<double> Betas { get; set; } = [0.9, 0.999];
    [Min(0), Finite]
    public double Eps { get; set; } = 1e-8;
    [Min(0), Finite]
    public double WeightDecay { get; set; } = 0.05;
    /// <summary>Per-layer LR decay rate; 1 disables layer decay.</summary>
    [Min(0, Exclusive = true), Finite]
    public double LayerDecayRate { get; set; } = 1.0;
    /// <summary>Blocks counted by layer decay; null = the backbone depth.</summary>
    [Min(1)]
    public int? LayerDecayNumLayers { get; set; }
    /// <summary>Reproduce hustvl/Vim's constructor, which only matches DeiT "blocks.i" and skips every Vim layer.</summary>
    public bool ReferenceLayerDecay { get; set; }
    /// <summary>Last name segments exempt from weight decay; null = the default list (pos_embed, cls_token, A_log, D, ...).</summary>
    public List<string>? NoDecayNames { get; set; }
    public bool NoDecayOneDimensional { get; set; } = true;
    /// <summary>Exempt every "*.bias" (mmseg's constructor); detectron2 decays biases like weights (false).</summary>
    public bool NoDecayBias { get; set; } = true;
    /// <summary>Exempt the parameters of torch norm modules (LayerNorm/BatchNorm/GroupNorm; detectron2's weight_decay_norm=0).</summary>
    public bool NoDecayNorm { get; set; }
    /// <summary>Max global gradient L2 norm; null disables clipping.</summary>
    [Min(0), Finite]
    public double? GradClip { get; set; }
    [Min(1)]
    public int AccumulationSteps { get; set; } = 1;
}

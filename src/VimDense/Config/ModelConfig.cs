namespace VimDense.Config;

/// <summary>
/// Segmentor: backbone → neck → decode head (+ auxiliary head); loss settings. A detector (task "detection") uses the
/// backbone, the neck (simple_feature_pyramid; out_channels = pyramid width), <see cref="Rpn"/> and <see cref="RoiHeads"/>.
/// </summary>
public sealed class ModelConfig
{
    public int NumClasses { get; set; } = 150;
    public int IgnoreIndex { get; set; } = 255;
    /// <summary>false: mmseg's default mean over all pixels, ignored ones included; true: over labelled pixels only.</summary>
    public bool AvgNonIgnore { get; set; }
    public BackboneConfig Backbone { get; set; } = new();
    public NeckConfig Neck { get; set; } = new();
    public HeadConfig DecodeHead { get; set; } = new();
    public RpnConfig Rpn { get; set; } = new();
    public RoiHeadsConfig RoiHeads { get; set; } = new();
    public HeadConfig AuxiliaryHead { get; set; } = new() { Type = "fcn", Channels = 256, InIndex = 2, LossWeight = 0.4 };
}

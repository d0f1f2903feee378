namespace VimDense.Config;

/// <summary>Segmentor: backbone → neck → decode head (+ auxiliary head); loss settings.</summary>
public sealed class ModelConfig
{
    public int NumClasses { get; set; } = 150;
    public int IgnoreIndex { get; set; } = 255;
    /// <summary>false: mmseg's default mean over all pixels, ignored ones included; true: over labelled pixels only.</summary>
    public bool AvgNonIgnore { get; set; }
    public BackboneConfig Backbone { get; set; } = new();
    public NeckConfig Neck { get; set; } = new();
    public HeadConfig DecodeHead { get; set; } = new();
    public HeadConfig AuxiliaryHead { get; set; } = new() { Type = "fcn", Channels = 256, InIndex = 2, LossWeight = 0.4 };
}

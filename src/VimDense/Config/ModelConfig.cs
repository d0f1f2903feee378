namespace VimDense.Config;

/// <summary>
/// Segmentor: backbone → neck → decode head (+ auxiliary head); loss settings. A detector (task "detection") uses the
/// backbone, the neck (simple_feature_pyramid or fpn), <see cref="Rpn"/> and <see cref="RoiHeads"/>. Each component
/// section is bound by the component it names (its options records live beside it in heads/); the defaults below
/// are only which component a missing section or a section without "type" means.
/// </summary>
public sealed class ModelConfig
{
    /// <summary>
    /// Number of classes; null ("auto", or the key omitted) takes the data set's class count (an experiment resolves
    /// it before building the model); a number is checked against the data set.
    /// </summary>
    [Newtonsoft.Json.JsonConverter(typeof(AutoCountConverter))]
    [Min(1)]
    public int? NumClasses { get; set; }

    /// <summary>model.num_classes once it is a number (builders read this).</summary>
    [Newtonsoft.Json.JsonIgnore]
    public int ClassCount => NumClasses ?? throw new UserInputException(
        "model.num_classes is \"auto\": an experiment takes it from the data set; set a number to build a model without one");
    [Min(0), Max(255)]
    public int IgnoreIndex { get; set; } = 255;
    /// <summary>false: mmseg's default mean over all pixels, ignored ones included; true: over labelled pixels only.</summary>
    public bool AvgNonIgnore { get; set; }
    public BackboneConfig Backbone { get; set; } = new();
    public ConfigSection Neck { get; set => field = value.WithDefaultType("feature2pyramid"); } = ConfigSection.Parse("model.neck", """{ "type": "feature2pyramid" }""");
    public ConfigSection DecodeHead { get; set => field = value.WithDefaultType("upernet"); } = ConfigSection.Parse("model.decode_head", """{ "type": "upernet" }""");
    /// <summary>Absent: an FCN auxiliary head on map 2; a section without "type" is an upernet head (as the decode head).</summary>
    public ConfigSection AuxiliaryHead { get; set => field = value.WithDefaultType("upernet"); } =
        ConfigSection.Parse("model.auxiliary_head", """{ "type": "fcn", "channels": 256, "in_index": 2, "loss_weight": 0.4 }""");
    /// <summary>Detection: RPN settings (heads' RpnOptions).</summary>
    public ConfigSection Rpn { get; set; } = ConfigSection.Parse("model.rpn", "{}");
    /// <summary>Detection: cascade ROI-head settings (heads' RoiHeadsOptions).</summary>
    public ConfigSection RoiHeads { get; set; } = ConfigSection.Parse("model.roi_heads", "{}");
}

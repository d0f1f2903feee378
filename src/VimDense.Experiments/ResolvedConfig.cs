using Newtonsoft.Json.Linq;
using VimDense.Backbones;
using VimDense.Config;
using VimDense.Heads.Detection;
using VimDense.Heads.Segmentation;

namespace VimDense.Experiments;

/// <summary>
/// The config an experiment really runs with (mmseg's print_config): bases merged and overrides applied (as loaded),
/// with every component section replaced by the options record it binds into, so the defaults of the backbone, neck,
/// heads, data pipeline and test settings appear beside the values the files gave. The result is itself a valid
/// config: loading it and resolving again gives the same JSON (the tests check that fixed point).
/// </summary>
public static class ResolvedConfig
{
    public static JObject Of(Experiment experiment)
    {
        var config = experiment.Config;
        var json = JObject.Parse(ConfigLoader.Serialize(config));
        var model = (JObject)json["model"]!;
        model["backbone"]!["options"] = ConfigBinding.ToJson(BackboneFactory.BindOptions(config.Model.Backbone));
        switch (experiment)
        {
            case SegmentationExperiment segmentation:
                model["neck"] = Component(config.Model.Neck, SegmentorBuilder.Necks.BindOptions(config.Model.Neck));
                model["decode_head"] = Component(config.Model.DecodeHead, SegmentorBuilder.Heads.BindOptions(config.Model.DecodeHead));
                model["auxiliary_head"] = Component(config.Model.AuxiliaryHead, SegmentorBuilder.Heads.BindOptions(config.Model.AuxiliaryHead));
                // Detection-only sections: the segmentor never reads them.
                model.Remove("rpn");
                model.Remove("roi_heads");
                json["data"] = Merge(segmentation.Data, config.Data.Bind<Datasets.Transforms.SegmentationPipelineOptions>(ConfigBinding.KeysOf<DataConfig>()));
                json["test"] = Merge(segmentation.Inference, segmentation.TestRun);
                break;
            case DetectionExperiment detection:
                model["neck"] = Component(config.Model.Neck, DetectorBuilder.Necks.BindOptions(config.Model.Neck));
                model["rpn"] = ConfigBinding.ToJson(config.Model.Rpn.Bind<RpnOptions>());
                // num_classes is model.num_classes (the section refuses its own), so it is left out here too.
                var roiHeads = ConfigBinding.ToJson(config.Model.RoiHeads.Bind<RoiHeadsOptions>());
                roiHeads.Remove("num_classes");
                model["roi_heads"] = roiHeads;
                model.Remove("decode_head");
                model.Remove("auxiliary_head");
                json["data"] = Merge(detection.Data, detection.PipelineOptions());
                json["test"] = Merge(detection.TestOptions, detection.TestRun);
                break;
            default:
                throw new ArgumentException($"unknown experiment type {experiment.GetType().Name}", nameof(experiment));
        }
        return json;
    }

    /// <summary>A component section: its "type" first, then every option of its record.</summary>
    private static JObject Component(ConfigSection section, object options)
    {
        var json = ConfigBinding.ToJson(options);
        json.AddFirst(new JProperty("type", section.Type));
        return json;
    }

    /// <summary>Two records bound from one section (data: loader/data-set keys, then pipeline keys; test: inference, then split keys).</summary>
    private static JObject Merge(object first, object second)
    {
        var json = ConfigBinding.ToJson(first);
        json.Merge(ConfigBinding.ToJson(second));
        return json;
    }
}

using VimDense.Config;
using VimDense.Engine;
using VimDense.Engine.Distributed;
using static TorchSharp.torch;

namespace VimDense.Experiments;

/// <summary>
/// The optimizer, schedule and trainer options a config describes, for any model whose backbone is registered as
/// "backbone" (layer decay counts its "backbone.layers.i" / "backbone.blocks.i" blocks).
/// </summary>
public static class TrainingSetup
{
    public static AdamW Optimizer(ExperimentConfig config, nn.Module model)
    {
        var o = config.Optimizer;
        if (o.Type != "adamw") throw new UserInputException($"optimizer.type '{o.Type}': only adamw is implemented");
        var depth = model.named_parameters().Select(p => p.name.Split('.'))
            .Where(parts => parts.Length > 2 && parts[0] == "backbone" && parts[1] is "layers" or "blocks")
            .Select(parts => int.Parse(parts[2]) + 1).DefaultIfEmpty(0).Max();
        var layerDecay = o.LayerDecayRate == 1.0 ? null : new LayerDecayRule(o.LayerDecayNumLayers ?? depth, o.LayerDecayRate, "backbone.", o.ReferenceLayerDecay);
        var groups = ParameterGroups.Build(model, o.WeightDecay, DecayRule(o), layerDecay);
        return new AdamW(groups, o.Betas[0], o.Betas[1], o.Eps);
    }

    /// <summary>The weight-decay rule the optimizer section describes (mmseg's by default, detectron2's in the detection configs).</summary>
    public static WeightDecayRule DecayRule(OptimizerConfig o) => new(o.NoDecayNames, o.NoDecayOneDimensional, o.NoDecayBias, o.NoDecayNorm);

    public static LearningRateSchedule Schedule(ExperimentConfig config)
    {
        var s = config.Schedule;
        return new LearningRateSchedule(config.Optimizer.Lr, s.Iterations, s.Policy, s.Power, s.MinLr, s.WarmupIters, s.WarmupRatio, s.Milestones, s.Gamma);
    }

    public static TrainerOptions TrainerOptions(ExperimentConfig config, string workDir, string keyMetric)
    {
        var t = config.Train;
        return new TrainerOptions
        {
            WorkDir = workDir, Iterations = config.Schedule.Iterations, AccumulationSteps = config.Optimizer.AccumulationSteps,
            GradientClipNorm = config.Optimizer.GradClip, LogInterval = t.LogInterval, CheckpointInterval = t.CheckpointInterval,
            EvaluationInterval = t.EvalInterval, KeepLastCheckpoints = t.KeepLast, EmaDecay = t.EmaDecay, TensorBoard = t.TensorBoard,
            KeyMetric = keyMetric, ConfigJson = ConfigLoader.Serialize(config), ProcessGroup = ProcessGroups.Current, Precision = t.Precision,
            RetainFreedMemory = t.RetainFreedMemory,
        };
    }
}

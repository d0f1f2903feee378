namespace VimDense.Config;

/// <summary>
/// A whole experiment, bound from JSON (snake_case keys): a thin shell of typed sections. Engine sections
/// (optimizer, schedule, train) are bound here; component sections (<see cref="ModelConfig"/>'s neck and heads,
/// <see cref="Data"/>, <see cref="Test"/>) stay <see cref="ConfigSection"/>s that the components bind into their own options records.
/// <see cref="ConfigLoader"/> rejects unknown keys and applies --set overrides.
/// </summary>
public sealed class ExperimentConfig
{
    public string Name { get; set; } = "experiment";
    /// <summary>segmentation (backbone → neck → decode head) or detection (backbone → SimpleFeaturePyramid → Cascade Mask R-CNN).</summary>
    public string Task { get; set; } = "segmentation";
    /// <summary>Output folder; null = work_dirs/&lt;config file name&gt; under the current directory.</summary>
    public string? WorkDir { get; set; }
    /// <summary>
    /// Whole-model weights to start training from (mmseg's load_from): a training checkpoint or a whole-model state dict
    /// (.pth/.safetensors). Not a resume: the optimizer, schedule and iteration start afresh; `--resume` ignores it.
    /// </summary>
    public string? LoadFrom { get; set; }
    public long Seed { get; set; }
    /// <summary>Torch intra-op threads; 0 keeps libtorch's default.</summary>
    [Min(0)]
    public int Threads { get; set; }
    /// <summary>Where the model, optimizer state, batches and losses live: cpu (default), cuda or cuda:N (<see cref="Engine.ComputeDevice"/>).</summary>
    [DeviceName]
    public string Device { get; set; } = "cpu";
    public ModelConfig Model { get; set; } = new();
    /// <summary>
    /// Data set and loader settings (<see cref="DataConfig"/>) beside the task's pipeline settings, bound by the task
    /// (segmentation: datasets' SegmentationPipelineOptions; detection: DetectionPipelineOptions).
    /// </summary>
    public ConfigSection Data { get; set; } = ConfigSection.Parse("data", "{}");
    public OptimizerConfig Optimizer { get; set; } = new();
    public ScheduleConfig Schedule { get; set; } = new();
    public TrainConfig Train { get; set; } = new();
    /// <summary>Test-time settings, bound by the task (segmentation: heads' InferenceOptions; detection: DetectionTestOptions).</summary>
    public ConfigSection Test { get; set; } = ConfigSection.Parse("test", "{}");
}

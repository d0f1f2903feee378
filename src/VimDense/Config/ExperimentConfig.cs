namespace VimDense.Config;

/// <summary>
/// A whole experiment, bound from JSON (snake_case keys). Every field has a default here, so a config file only
/// states what differs; <see cref="ConfigLoader"/> rejects unknown keys and applies --set overrides.
/// </summary>
public sealed class ExperimentConfig
{
    public string Name { get; set; } = "experiment";
    /// <summary>segmentation (backbone → neck → decode head) or detection (backbone → SimpleFeaturePyramid → Cascade Mask R-CNN).</summary>
    public string Task { get; set; } = "segmentation";
    /// <summary>Output folder; null = work_dirs/&lt;config file name&gt; under the current directory.</summary>
    public string? WorkDir { get; set; }
    public long Seed { get; set; }
    /// <summary>Torch intra-op threads; 0 keeps libtorch's default.</summary>
    public int Threads { get; set; }
    public ModelConfig Model { get; set; } = new();
    public DataConfig Data { get; set; } = new();
    public OptimizerConfig Optimizer { get; set; } = new();
    public ScheduleConfig Schedule { get; set; } = new();
    public TrainConfig Train { get; set; } = new();
    public TestConfig Test { get; set; } = new();
}

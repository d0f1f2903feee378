using VimDense.Engine;

namespace VimDense.Config;

/// <summary>
/// The keys of the config's test section that belong to the engine rather than to the task's test options
/// (segmentation: InferenceOptions; detection: DetectionTestOptions), which bind the rest of that section.
/// </summary>
public sealed class TestConfig
{
    /// <summary>Evaluation and prediction precision: fp32 (default) or bf16/fp16 under <see cref="Layers.Autocast"/>.</summary>
    public Precision Precision { get; set; } = Precision.Fp32;
}

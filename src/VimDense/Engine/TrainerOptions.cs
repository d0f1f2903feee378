using VimDense.Engine.Distributed;

namespace VimDense.Engine;

/// <summary>Loop settings of <see cref="Trainer{TBatch}"/>; intervals are in optimizer iterations.</summary>
public sealed record TrainerOptions
{
    public required string WorkDir { get; init; }
    public required long Iterations { get; init; }
    /// <summary>Micro-batches whose gradients are summed (each loss divided by this) before one update.</summary>
    public int AccumulationSteps { get; init; } = 1;
    /// <summary>Clip the global gradient L2 norm to this value; null or ≤ 0 disables clipping.</summary>
    public double? GradientClipNorm { get; init; }
    public int LogInterval { get; init; } = 50;
    public int CheckpointInterval { get; init; } = 1000;
    /// <summary>0 disables periodic evaluation (evaluation still runs at the end when an evaluator is given).</summary>
    public int EvaluationInterval { get; init; } = 1000;
    public int KeepLastCheckpoints { get; init; } = 3;
    /// <summary>Decay of the weight EMA; null disables it. Evaluation uses the averaged weights when enabled.</summary>
    public double? EmaDecay { get; init; }
    /// <summary>Metric that selects the best checkpoint (higher is better).</summary>
    public string KeyMetric { get; init; } = "mIoU";
    public bool TensorBoard { get; init; } = true;
    /// <summary>Stored in every checkpoint's metadata so a checkpoint says what produced it.</summary>
    public string ConfigJson { get; init; } = "{}";
    public TextWriter? ProgressOutput { get; init; }
    /// <summary>The data-parallel ranks: gradients are averaged over them and only rank 0 writes logs and checkpoints.</summary>
    public IProcessGroup ProcessGroup { get; init; } = SingleProcessGroup.Instance;
    /// <summary>train.precision: forward passes of fp16/bf16 run under <see cref="Layers.Autocast"/>; fp16 adds loss scaling.</summary>
    public Precision Precision { get; init; } = Precision.Fp32;
    /// <summary>Whether training turns on <see cref="FreedMemoryRetention"/> (process-wide) before its first step; configs: train.retain_freed_memory.</summary>
    public bool RetainFreedMemory { get; init; }
    /// <summary>Good fp16 steps after which the loss scale doubles (GradScaler's 2000; tests shorten it).</summary>
    public int LossScaleGrowthInterval { get; init; } = LossScaler.DefaultGrowthInterval;
}

namespace VimDense.Config;

/// <summary>Logging, checkpointing, evaluation cadence and outputs of a training run.</summary>
public sealed class TrainConfig
{
    [Min(1)]
    public int LogInterval { get; set; } = 50;
    [Min(1)]
    public int CheckpointInterval { get; set; } = 1000;
    [Min(0)]
    public int EvalInterval { get; set; } = 1000;
    [Min(0)]
    public int KeepLast { get; set; } = 3;
    /// <summary>Weight EMA decay (e.g. 0.999); null disables it.</summary>
    [Min(0), Max(1)]
    public double? EmaDecay { get; set; }
    public bool TensorBoard { get; set; } = true;
    /// <summary>Prediction overlays written after training (from the validation split).</summary>
    [Min(0)]
    public int OverlayImages { get; set; } = 4;
    /// <summary>fp32 (default), bf16 (autocast policy) or fp16 (autocast policy and dynamic loss scaling).</summary>
    public VimDense.Engine.Precision Precision { get; set; } = VimDense.Engine.Precision.Fp32;
    /// <summary>
    /// Keep the memory tensors free in the process for the next iteration (glibc): faster CPU training for a higher
    /// resident peak. See <see cref="VimDense.Engine.FreedMemoryRetention"/>; false (default) keeps glibc's defaults.
    /// </summary>
    public bool RetainFreedMemory { get; set; }
}

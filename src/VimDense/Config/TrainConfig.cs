namespace VimDense.Config;

/// <summary>Logging, checkpointing, evaluation cadence and outputs of a training run.</summary>
public sealed class TrainConfig
{
    public int LogInterval { get; set; } = 50;
    public int CheckpointInterval { get; set; } = 1000;
    public int EvalInterval { get; set; } = 1000;
    public int KeepLast { get; set; } = 3;
    /// <summary>Weight EMA decay (e.g. 0.999); null disables it.</summary>
    public double? EmaDecay { get; set; }
    public bool TensorBoard { get; set; } = true;
    /// <summary>Prediction overlays written after training (from the validation split).</summary>
    public int OverlayImages { get; set; } = 4;
}

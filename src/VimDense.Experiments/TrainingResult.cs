namespace VimDense.Experiments;

/// <summary>What <see cref="Experiment.Train"/> leaves: the final evaluation and where the checkpoints are.</summary>
/// <param name="Evaluation">The last evaluation (of the final iteration, on EMA weights when enabled).</param>
/// <param name="Checkpoint">The latest checkpoint ("" when the run wrote none).</param>
/// <param name="BestCheckpoint">The best checkpoint by the task's key metric, when one was kept.</param>
/// <param name="WorkDir">The work directory holding logs, metrics and overlays.</param>
public sealed record TrainingResult(IEvaluation Evaluation, string Checkpoint, string? BestCheckpoint, string WorkDir);

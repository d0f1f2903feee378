namespace VimDense.Engine;

/// <summary>Loop counters restored on resume.</summary>
public sealed record TrainingState(long Iteration, long OptimizerSteps, string DataState, double? BestMetric, long? BestIteration);

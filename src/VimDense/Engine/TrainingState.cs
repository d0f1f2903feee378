namespace VimDense.Engine;

/// <summary>Loop counters restored on resume; <paramref name="WorldSize"/>: the number of data-parallel processes that wrote it.</summary>
public sealed record TrainingState(long Iteration, long OptimizerSteps, string DataState, double? BestMetric, long? BestIteration, int WorldSize = 1);

namespace VimDense.Engine;

/// <summary>
/// Loop counters restored on resume; <paramref name="WorldSize"/>: the number of data-parallel processes that wrote it;
/// <paramref name="LossScale"/> and <paramref name="LossScaleGoodSteps"/>: the fp16 <see cref="LossScaler"/>'s state (null without one).
/// </summary>
public sealed record TrainingState(long Iteration, long OptimizerSteps, string DataState, double? BestMetric, long? BestIteration, int WorldSize = 1,
    double? LossScale = null, int LossScaleGoodSteps = 0);

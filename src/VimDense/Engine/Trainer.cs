using TorchSharp;
using VimDense.Engine.Distributed;
using VimDense.Engine.Logging;
using VimDense.Layers;
using static TorchSharp.torch;

namespace VimDense.Engine;

/// <summary>
/// The iteration-based training loop shared by segmentation and detection: schedule → (accumulated) forward and
/// backward → NaN/Inf check → gradient clipping → AdamW step → EMA; logging, periodic evaluation with the best
/// checkpoint kept by <see cref="TrainerOptions.KeyMetric"/>, periodic checkpoints with everything needed to
/// resume bit-identically (model, optimizer, EMA, torch RNG, data position, counters).
/// </summary>
public sealed class Trainer<TBatch>(
    nn.Module model,
    AdamW optimizer,
    LearningRateSchedule schedule,
    TrainerOptions options,
    Func<TBatch, TrainStepResult> step,
    IResumableBatchSource<TBatch> data,
    Func<IReadOnlyDictionary<string, double>>? evaluate = null)
{
    private readonly CheckpointStore store = new(options.WorkDir, options.KeepLastCheckpoints);
    private readonly ExponentialMovingAverage? ema = options.EmaDecay is { } decay ? new ExponentialMovingAverage(model, decay) : null;
    private readonly IProcessGroup ranks = options.ProcessGroup;
    private readonly GradientAverager averager = new(options.ProcessGroup);
    private readonly IterationTimer timer = new();
    private readonly LossScaler? scaler = options.Precision == Precision.Fp16 ? new LossScaler(growthInterval: options.LossScaleGrowthInterval) : null;
    private bool IsRoot => ranks.Rank == 0;

    /// <summary>Losses of each iteration of this call (1-based iteration → total loss), for tests and reports.</summary>
    public List<(long Iteration, double Loss)> Losses { get; } = [];

    public IReadOnlyDictionary<string, double>? LastMetrics { get; private set; }
    public string? BestCheckpoint { get; private set; }
    public string? LastCheckpoint { get; private set; }

    /// <summary>The fp16 loss scale (null in other precisions).</summary>
    public double? LossScale => scaler?.Scale;

    /// <summary>Runs to <see cref="TrainerOptions.Iterations"/>; with <paramref name="resume"/>, continues from the work directory's latest checkpoint.</summary>
    public void Run(bool resume)
    {
        if (options.RetainFreedMemory) FreedMemoryRetention.Enable();
        var state = new TrainingState(0, 0, data.SaveState(), null, null, ranks.Size);
        if (IsRoot) store.RemoveStaleTemporaries();
        if (resume)
        {
            var latest = store.LatestPath ?? throw new UserInputException($"--resume: no checkpoint in {options.WorkDir} ({CheckpointStore.LatestPointer} missing)");
            state = CheckpointStore.Restore(latest, model, optimizer, ema);
            if (state.WorldSize != ranks.Size)
                throw new UserInputException($"--resume: {latest} was written by {state.WorldSize} process(es) but this run has {ranks.Size}: resume with the same number of processes (the batch and data order depend on it)");
            try { data.RestoreState(state.DataState); }
            catch (InvalidDataException e) { throw new InvalidDataException($"{latest}: {e.Message}", e); }
            if (scaler is not null && state.LossScale is { } savedScale)
            {
                try { scaler.Restore(savedScale, state.LossScaleGoodSteps); }
                catch (InvalidDataException e) { throw new InvalidDataException($"{latest}: {e.Message}", e); }
            }
            LastCheckpoint = store.LastGood = latest;
            if (IsRoot) Console.Error.WriteLine($"resumed from {latest} at iteration {state.Iteration}");
        }
        // Every rank starts from rank 0's weights (the same seed builds the same model; this makes it certain).
        ModuleBroadcast.FromRoot(ranks, model, ema?.StateTensors().Select(kv => kv.Value));
        // Logs, TensorBoard, progress and checkpoints belong to rank 0.
        using var log = IsRoot ? new TrainingLog(options.WorkDir, options.TensorBoard) : null;
        var progress = new ProgressBar(options.Iterations, state.Iteration, IsRoot ? options.ProgressOutput : TextWriter.Null);
        var (best, bestIteration) = (state.BestMetric, state.BestIteration);
        model.train();
        for (var iteration = state.Iteration; iteration < options.Iterations; iteration++)
        {
            timer.Start(); // the iteration's own time: evaluation and checkpoints of the previous one are not in it
            var lr = schedule.At(iteration);
            var scalars = TrainOneIteration(iteration, lr);
            timer.EndIteration();
            var done = iteration + 1;
            Losses.Add((done, scalars["loss"]));
            progress.Report(done, $"loss {scalars["loss"]:F4} lr {lr:E2} {timer.ProgressFields()}");
            if (done % options.LogInterval == 0 || done == options.Iterations || done == state.Iteration + 1)
                log?.Write("train", done, WithTiming(scalars));

            var evaluateNow = evaluate is not null && (done == options.Iterations || (options.EvaluationInterval > 0 && done % options.EvaluationInterval == 0));
            var improved = false;
            if (evaluateNow)
            {
                LastMetrics = Evaluate();
                log?.Write("val", done, LastMetrics);
                if (IsRoot) Console.Error.WriteLine($"\n[iter {done}] " + string.Join("  ", LastMetrics.Select(kv => $"{kv.Key} {kv.Value:F2}")));
                if (LastMetrics.TryGetValue(options.KeyMetric, out var metric) && (best is null || metric > best))
                    (best, bestIteration, improved) = (metric, done, true);
            }
            if (done % options.CheckpointInterval == 0 || done == options.Iterations || improved)
            {
                var current = new TrainingState(done, optimizer.Steps, data.SaveState(), best, bestIteration, ranks.Size, scaler?.Scale, scaler?.GoodSteps ?? 0);
                if (!IsRoot) store.CheckFinite(model, optimizer, ema, done); // as rank 0's save does: all ranks stop together
                if (done % options.CheckpointInterval == 0 || done == options.Iterations)
                    LastCheckpoint = IsRoot ? store.Save(model, optimizer, ema, current, options.ConfigJson) : Path.Combine(options.WorkDir, CheckpointStore.FileName(done));
                if (improved) SaveBest(current);
            }
        }
        progress.Finish();
    }

    /// <summary>One optimizer iteration outside <see cref="Run"/> (no logging or checkpoints): for benchmarks.</summary>
    public IReadOnlyDictionary<string, double> StepOnce(long iteration)
    {
        if (options.RetainFreedMemory) FreedMemoryRetention.Enable();
        model.train();
        return TrainOneIteration(iteration, schedule.At(iteration));
    }

    private Dictionary<string, double> TrainOneIteration(long iteration, double lr)
    {
        optimizer.ZeroGrad();
        var sums = new Dictionary<string, double>();
        for (var micro = 0; micro < options.AccumulationSteps; micro++)
        {
            using var scope = NewDisposeScope();
            TrainStepResult result;
            // train.precision: the forward (and the loss, computed in float32 by the heads) under autocast; backward follows the recorded casts.
            // Its graph is backpropagated once, below: the custom functions may release what they saved as they go.
            using (Autocast.Enter(Precisions.LowType(options.Precision)))
            using (Ops.AutogradFunctionScopes.SingleUseGraphs())
                result = step(timer.Data(data.Next));
            var loss = result.Loss.item<float>();
            // All ranks stop together: one rank's NaN/Inf loss is everyone's (a vote, so no rank waits in an allreduce alone).
            // In fp16 an overflowing forward is the loss scaler's to skip, not a divergence (it stops after many skips in a row).
            if (!ranks.AllAgree(float.IsFinite(loss)) && scaler is null)
                throw new TrainingDivergedException(
                    $"loss is {(float.IsFinite(loss) ? "not finite on another rank" : loss)} at iteration {iteration + 1}; stopped without saving. Last good checkpoint: {LastCheckpoint ?? "none yet"}" +
                    " (lower the learning rate, enable gradient clipping, or resume from it with --resume)");
            var scaled = scaler is null ? result.Loss : result.Loss * scaler.Scale;
            var objective = options.AccumulationSteps == 1 ? scaled : scaled / options.AccumulationSteps;
            // The graph holds what backward needs; the step's handles would keep every other forward tensor (copies,
            // casts, the batch) alive through backward, and the custom functions' saved tensors until its end.
            scope.DisposeEverythingBut(objective);
            objective.backward();
            sums["loss"] = sums.GetValueOrDefault("loss") + loss / options.AccumulationSteps;
            foreach (var (key, value) in result.Scalars) sums[key] = sums.GetValueOrDefault(key) + value / options.AccumulationSteps;
        }
        // Data parallelism: the gradients of the step (after accumulation) averaged over the ranks, then clipping.
        averager.Average(optimizer.Parameters.ToList<Tensor>());
        if (ranks.Size > 1) AverageOverRanks(sums);
        if (scaler is not null)
        {
            sums["loss_scale"] = scaler.Scale;
            // Every rank holds the averaged gradients, so every rank reaches the same verdict.
            var finite = scaler.Unscale(optimizer.Parameters);
            scaler.Update(finite, iteration + 1);
            if (!finite)
            {
                sums["lr"] = lr;
                return sums; // skipped: no clipping, step or EMA update
            }
        }
        if (options.GradientClipNorm is > 0 and var maxNorm)
            sums["grad_norm"] = nn.utils.clip_grad_norm_(optimizer.Parameters, maxNorm); // skips parameters without a gradient
        optimizer.Step(lr);
        ema?.Update();
        sums["lr"] = lr;
        return sums;
    }

    /// <summary>A train log line's values: the iteration's scalars and mmseg's time, data_time and memory (<see cref="IterationTimer"/>).</summary>
    private Dictionary<string, double> WithTiming(Dictionary<string, double> scalars)
    {
        var line = new Dictionary<string, double>(scalars);
        foreach (var (key, value) in timer.TakeWindow()) line[key] = value;
        return line;
    }

    /// <summary>The logged scalars as means over the ranks (every rank computes the same keys in the same order).</summary>
    private void AverageOverRanks(Dictionary<string, double> sums)
    {
        var keys = sums.Keys.ToArray();
        using var values = tensor(keys.Select(k => sums[k]).ToArray(), ScalarType.Float64);
        ranks.AllReduceSum(values);
        var means = values.data<double>().ToArray();
        for (var i = 0; i < keys.Length; i++) sums[keys[i]] = means[i] / ranks.Size;
    }

    private IReadOnlyDictionary<string, double> Evaluate()
    {
        ema?.Swap();
        try
        {
            model.eval();
            return evaluate!();
        }
        finally
        {
            model.train();
            ema?.Swap();
        }
    }

    private void SaveBest(TrainingState current)
    {
        if (!IsRoot) return;
        // The previous best goes only once the new one is written: a save refused as non-finite must not lose it.
        var previous = Directory.GetFiles(options.WorkDir, CheckpointStore.BestFilePattern(options.KeyMetric));
        BestCheckpoint = store.Save(model, optimizer, ema, current, options.ConfigJson, CheckpointStore.BestFileName(options.KeyMetric, current.Iteration));
        foreach (var old in previous.Where(p => p != BestCheckpoint)) File.Delete(old);
    }
}

using System.Globalization;
using TorchSharp;
using VimDense.Checkpoints;
using VimDense.IO;
using static TorchSharp.torch;

namespace VimDense.Engine;

/// <summary>
/// A work directory's checkpoints: iter_N.safetensors holding model ("model."), optimizer ("optim."), EMA ("ema.")
/// and torch RNG ("rng.torch") tensors plus loop counters and the data-sampler position as metadata; a
/// "last_checkpoint" file naming the newest; keep-last-N pruning; best_&lt;metric&gt;_iter_N.safetensors.
/// Files are written through <see cref="SafeTensors"/> (atomically, tensors in ordinal name order) and model weights
/// are copied back through <see cref="StateDicts.LoadInto"/>. A state holding NaN or Inf in any floating-point tensor
/// (a parameter, a BatchNorm running_var, an optimizer moment) is never written: <see cref="Save"/> stops the run
/// with a <see cref="TrainingDivergedException"/> naming the tensor and the last good checkpoint.
/// </summary>
public sealed class CheckpointStore(string workDir, int keepLast)
{
    public const string LatestPointer = "last_checkpoint";

    /// <summary>The periodic checkpoints' names (<see cref="FileName"/>) as a directory search pattern.</summary>
    public const string FilePattern = "iter_*.safetensors";

    /// <summary>The periodic checkpoint of <paramref name="iteration"/>: iter_N.safetensors.</summary>
    public static string FileName(long iteration) => $"iter_{iteration.ToString(CultureInfo.InvariantCulture)}.safetensors";

    /// <summary>The best-so-far checkpoint by <paramref name="metric"/>: best_METRIC_iter_N.safetensors.</summary>
    public static string BestFileName(string metric, long iteration) => $"best_{metric}_iter_{iteration.ToString(CultureInfo.InvariantCulture)}.safetensors";

    /// <summary>The best checkpoints' names by <paramref name="metric"/> ("*": by any metric) as a search pattern.</summary>
    public static string BestFilePattern(string metric) => $"best_{metric}_iter_*.safetensors";

    public string WorkDir { get; } = workDir;

    /// <summary>The newest checkpoint of this run known to be good (the one resumed from, then each periodic save).</summary>
    public string? LastGood { get; set; }

    public string? LatestPath
    {
        get
        {
            var pointer = Path.Combine(WorkDir, LatestPointer);
            if (!File.Exists(pointer)) return null;
            var path = Path.Combine(WorkDir, File.ReadAllText(pointer).Trim());
            return File.Exists(path) ? path : null;
        }
    }

    public string Save(nn.Module model, AdamW optimizer, ExponentialMovingAverage? ema, TrainingState state, string configJson, string? fileName = null)
    {
        using var scope = NewDisposeScope(); // the optimizer's step-count tensors are made for this file only
        var tensors = StateTensors(model, optimizer, ema);
        CheckFinite(tensors, state.Iteration);
        using var rng = torch.random.get_rng_state();
        tensors["rng.torch"] = rng;
        var metadata = new Dictionary<string, string>
        {
            ["format"] = CheckpointKinds.TrainingFormat,
            ["iteration"] = state.Iteration.ToString(CultureInfo.InvariantCulture),
            ["optimizer_steps"] = state.OptimizerSteps.ToString(CultureInfo.InvariantCulture),
            ["data_state"] = state.DataState,
            ["best_metric"] = state.BestMetric?.ToString("R", CultureInfo.InvariantCulture) ?? "",
            ["best_iteration"] = state.BestIteration?.ToString(CultureInfo.InvariantCulture) ?? "",
            ["config"] = configJson,
            ["world_size"] = state.WorldSize.ToString(CultureInfo.InvariantCulture),
        };
        if (state.LossScale is { } lossScale) // fp16 runs: the loss scaler continues where it was
        {
            metadata["loss_scale"] = lossScale.ToString("R", CultureInfo.InvariantCulture);
            metadata["loss_scale_good_steps"] = state.LossScaleGoodSteps.ToString(CultureInfo.InvariantCulture);
        }
        var file = fileName ?? FileName(state.Iteration);
        var path = Path.Combine(WorkDir, file);
        Directory.CreateDirectory(WorkDir);
        SafeTensors.Save(path, tensors, metadata);
        if (fileName is null)
        {
            AtomicFile.WriteAllText(Path.Combine(WorkDir, LatestPointer), file);
            LastGood = path;
            Prune();
        }
        return path;
    }

    /// <summary>
    /// Removes the temporary files that writes killed half-way left in the work directory (see
    /// <see cref="AtomicFile.RemoveStaleTemporaries"/>); called when a run starts.
    /// </summary>
    public void RemoveStaleTemporaries()
    {
        foreach (var removed in AtomicFile.RemoveStaleTemporaries(WorkDir))
            Console.Error.WriteLine($"removed {removed}, left by an interrupted write");
    }

    /// <summary>
    /// The finite check <see cref="Save"/> makes, without writing: data-parallel ranks that write nothing hold the same
    /// state as rank 0 and call this, so that every rank stops together on a non-finite state.
    /// </summary>
    public void CheckFinite(nn.Module model, AdamW optimizer, ExponentialMovingAverage? ema, long iteration)
    {
        using var scope = NewDisposeScope();
        CheckFinite(StateTensors(model, optimizer, ema), iteration);
    }

    private static SortedDictionary<string, Tensor> StateTensors(nn.Module model, AdamW optimizer, ExponentialMovingAverage? ema)
    {
        var tensors = new SortedDictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, value) in model.state_dict()) tensors["model." + name] = value;
        foreach (var (name, value) in optimizer.StateTensors()) tensors["optim." + name] = value;
        if (ema is not null) foreach (var (name, value) in ema.StateTensors()) tensors["ema." + name] = value;
        return tensors;
    }

    private void CheckFinite(SortedDictionary<string, Tensor> tensors, long iteration)
    {
        foreach (var (name, tensor) in tensors)
        {
            if (!tensor.is_floating_point()) continue;
            using var finite = torch.isfinite(tensor).all();
            if (finite.item<bool>()) continue;
            throw new TrainingDivergedException(
                $"{name} holds NaN or Inf at iteration {iteration}; this state was not saved. Last good checkpoint: {LastGood ?? "none yet"}" +
                " (lower the learning rate, enable gradient clipping, or resume from it with --resume)");
        }
    }

    /// <summary>
    /// Restores everything saved by <see cref="Save"/>; returns the loop counters. Every metadata field and the RNG
    /// state are checked first (a tampered RNG state would abort inside libtorch), each error naming the file and field.
    /// </summary>
    public static TrainingState Restore(string path, nn.Module model, AdamW optimizer, ExponentialMovingAverage? ema)
    {
        var metadata = SafeTensors.ReadMetadata(path);
        if (metadata.GetValueOrDefault("format") != CheckpointKinds.TrainingFormat) throw new InvalidDataException($"{path}: not a VimDense training checkpoint");
        var iteration = Counter(metadata, "iteration", path);
        var optimSteps = Counter(metadata, "optimizer_steps", path);
        var dataState = Field(metadata, "data_state", path); // opaque here: the batch source checks its own state
        var bestMetric = Field(metadata, "best_metric", path) is { Length: > 0 } metricText
            ? double.TryParse(metricText, NumberStyles.Float, CultureInfo.InvariantCulture, out var m) && double.IsFinite(m) ? m
                : throw new InvalidDataException($"{path}: metadata field 'best_metric' is '{Clip(metricText)}', expected a finite number or empty")
            : (double?)null;
        var bestIteration = Field(metadata, "best_iteration", path) is { Length: > 0 } ? Counter(metadata, "best_iteration", path) : (long?)null;
        // Checkpoints written before distributed training have no world size: they came from one process.
        var worldSize = metadata.ContainsKey("world_size") ? Counter(metadata, "world_size", path) : 1;
        if (worldSize is < 1 or > int.MaxValue) throw new InvalidDataException($"{path}: metadata field 'world_size' is {worldSize}, expected a positive process count");
        // Written by fp16 runs only; another precision's checkpoint starts the scaler afresh.
        var lossScale = metadata.TryGetValue("loss_scale", out var scaleText)
            ? double.TryParse(scaleText, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && double.IsFinite(s) && s > 0 ? s
                : throw new InvalidDataException($"{path}: metadata field 'loss_scale' is '{Clip(scaleText)}', expected a positive finite number")
            : (double?)null;
        var goodSteps = lossScale is null ? 0 : Counter(metadata, "loss_scale_good_steps", path);
        if (goodSteps > int.MaxValue) throw new InvalidDataException($"{path}: metadata field 'loss_scale_good_steps' is {goodSteps}, too large");
        var tensors = SafeTensors.Load(path);
        try
        {
            var rngState = tensors.GetValueOrDefault("rng.torch") ?? throw new InvalidDataException($"{path}: tensor 'rng.torch' (the RNG state) is missing");
            using (var current = torch.random.get_rng_state())
                if (rngState.dtype != current.dtype || !rngState.shape.SequenceEqual(current.shape))
                    throw new InvalidDataException($"{path}: tensor 'rng.torch' is {rngState.dtype} [{string.Join(", ", rngState.shape)}], " +
                                                   $"expected the RNG state's {current.dtype} [{string.Join(", ", current.shape)}]");
            LoadWeights(model, Strip(tensors, "model."), path);
            optimizer.LoadState(optimSteps, Strip(tensors, "optim."));
            ema?.LoadState(Strip(tensors, "ema."));
            torch.random.set_rng_state(rngState);
            return new TrainingState(iteration, optimSteps, dataState, bestMetric, bestIteration, (int)worldSize, lossScale, (int)goodSteps);
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }

    private static string Field(IReadOnlyDictionary<string, string> metadata, string key, string path) =>
        metadata.TryGetValue(key, out var value) ? value : throw new InvalidDataException($"{path}: metadata field '{key}' is missing");

    private static long Counter(IReadOnlyDictionary<string, string> metadata, string key, string path)
    {
        var text = Field(metadata, key, path);
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value : throw new InvalidDataException($"{path}: metadata field '{key}' is '{Clip(text)}', expected a non-negative integer");
    }

    private static string Clip(string text) => text.Length <= 40 ? text : text[..40] + "…";

    /// <summary>
    /// Loads only the model weights (for eval, predict, load_from) of a training checkpoint ("ema." weights when asked and
    /// present) or of a whole-model state dict (.pth or .safetensors); a file of another kind (a backbone's ImageNet
    /// weights, another model) is refused with one line saying what <paramref name="use"/> needs (<see cref="CheckpointKinds"/>).
    /// </summary>
    public static void LoadModelWeights(string path, nn.Module model, bool preferEma = false, string use = "eval and predict")
    {
        var weights = CheckpointKinds.ModelWeights(path, preferEma);
        try
        {
            CheckpointKinds.RequireWholeModel(path, weights, model, use);
            LoadWeights(model, weights, path);
        }
        finally
        {
            foreach (var t in weights.Values) t.Dispose();
        }
    }

    /// <summary>
    /// Files hold the model's <c>state_dict()</c>, which may name a child twice (see <see cref="StateDicts.Targets"/>);
    /// entries the model does not load are skipped, a missing or misshapen one is an error.
    /// </summary>
    private static void LoadWeights(nn.Module model, Dictionary<string, Tensor> weights, string path)
    {
        var targets = StateDicts.Targets(model);
        StateDicts.LoadInto(model, weights.Where(kv => targets.ContainsKey(kv.Key)).ToDictionary(), strict: true, path);
    }

    private static Dictionary<string, Tensor> Strip(Dictionary<string, Tensor> tensors, string prefix) =>
        tensors.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value);

    private void Prune()
    {
        if (keepLast <= 0) return;
        var old = Directory.GetFiles(WorkDir, FilePattern)
            .Select(p => (Path: p, Iteration: long.TryParse(Path.GetFileNameWithoutExtension(p)[5..], out var i) ? i : -1))
            .Where(x => x.Iteration >= 0).OrderByDescending(x => x.Iteration).Skip(keepLast);
        foreach (var (path, _) in old) File.Delete(path);
    }
}

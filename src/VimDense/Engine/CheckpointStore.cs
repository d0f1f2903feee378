using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace VimDense.Engine;

/// <summary>
/// A work directory's checkpoints: iter_N.safetensors holding model ("model."), optimizer ("optim."), EMA ("ema.")
/// and torch RNG ("rng.torch") tensors plus loop counters and the data-sampler position as metadata; a
/// "last_checkpoint" file naming the newest; keep-last-N pruning; best_&lt;metric&gt;_iter_N.safetensors.
/// </summary>
public sealed class CheckpointStore(string workDir, int keepLast)
{
    public const string LatestPointer = "last_checkpoint";

    public string WorkDir { get; } = workDir;

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
        var tensors = new Dictionary<string, Tensor>();
        foreach (var (name, value) in model.state_dict()) tensors["model." + name] = value;
        foreach (var (name, value) in optimizer.StateTensors()) tensors["optim." + name] = value;
        if (ema is not null) foreach (var (name, value) in ema.StateTensors()) tensors["ema." + name] = value;
        using var rng = torch.random.get_rng_state();
        tensors["rng.torch"] = rng;
        var metadata = new Dictionary<string, string>
        {
            ["format"] = "vimdense-train-1",
            ["iteration"] = state.Iteration.ToString(CultureInfo.InvariantCulture),
            ["optimizer_steps"] = state.OptimizerSteps.ToString(CultureInfo.InvariantCulture),
            ["data_state"] = state.DataState,
            ["best_metric"] = state.BestMetric?.ToString("R", CultureInfo.InvariantCulture) ?? "",
            ["best_iteration"] = state.BestIteration?.ToString(CultureInfo.InvariantCulture) ?? "",
            ["config"] = configJson,
        };
        var file = fileName ?? $"iter_{state.Iteration}.safetensors";
        var path = Path.Combine(WorkDir, file);
        TensorFile.Write(path, tensors, metadata);
        if (fileName is null)
        {
            WriteAtomically(Path.Combine(WorkDir, LatestPointer), file);
            Prune();
        }
        return path;
    }

    /// <summary>Restores everything saved by <see cref="Save"/>; returns the loop counters.</summary>
    public static TrainingState Restore(string path, nn.Module model, AdamW optimizer, ExponentialMovingAverage? ema)
    {
        var (tensors, metadata) = TensorFile.Read(path);
        if (metadata.GetValueOrDefault("format") != "vimdense-train-1") throw new InvalidDataException($"{path}: not a VimDense training checkpoint");
        LoadModel(model, tensors, path);
        var optimSteps = long.Parse(metadata["optimizer_steps"], CultureInfo.InvariantCulture);
        optimizer.LoadState(optimSteps, Strip(tensors, "optim."));
        if (ema is not null) ema.LoadState(Strip(tensors, "ema."));
        torch.random.set_rng_state(tensors["rng.torch"]);
        foreach (var t in tensors.Values) t.Dispose();
        return new TrainingState(
            long.Parse(metadata["iteration"], CultureInfo.InvariantCulture), optimSteps, metadata["data_state"],
            metadata["best_metric"] == "" ? null : double.Parse(metadata["best_metric"], CultureInfo.InvariantCulture),
            metadata["best_iteration"] == "" ? null : long.Parse(metadata["best_iteration"], CultureInfo.InvariantCulture));
    }

    /// <summary>Loads only the model weights of a training checkpoint (for eval/predict); "ema." weights when asked and present.</summary>
    public static void LoadModelWeights(string path, nn.Module model, bool preferEma = false)
    {
        var (tensors, _) = TensorFile.Read(path);
        var prefix = preferEma && tensors.Keys.Any(k => k.StartsWith("ema.", StringComparison.Ordinal)) ? "ema." : "model.";
        var weights = Strip(tensors, prefix);
        if (prefix == "ema.")
            foreach (var (name, value) in Strip(tensors, "model.")) weights.TryAdd(name, value);
        LoadModel(model, weights.ToDictionary(kv => "model." + kv.Key, kv => kv.Value), path);
        foreach (var t in tensors.Values) t.Dispose();
    }

    private static void LoadModel(nn.Module model, Dictionary<string, Tensor> tensors, string path)
    {
        var weights = Strip(tensors, "model.");
        var own = model.state_dict();
        var missing = own.Keys.Where(k => !weights.ContainsKey(k)).ToList();
        if (missing.Count > 0) throw new InvalidDataException($"{path}: checkpoint lacks {missing.Count} model entries, e.g. '{missing[0]}' (different config?)");
        using var noGrad = no_grad();
        foreach (var (name, target) in own)
        {
            var source = weights[name];
            if (!source.shape.SequenceEqual(target.shape))
                throw new InvalidDataException($"{path}: '{name}' has shape [{string.Join(",", source.shape)}], the model [{string.Join(",", target.shape)}]");
            target.copy_(source);
        }
    }

    private static Dictionary<string, Tensor> Strip(Dictionary<string, Tensor> tensors, string prefix) =>
        tensors.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value);

    private void Prune()
    {
        if (keepLast <= 0) return;
        var old = Directory.GetFiles(WorkDir, "iter_*.safetensors")
            .Select(p => (Path: p, Iteration: long.TryParse(Path.GetFileNameWithoutExtension(p)[5..], out var i) ? i : -1))
            .Where(x => x.Iteration >= 0).OrderByDescending(x => x.Iteration).Skip(keepLast);
        foreach (var (path, _) in old) File.Delete(path);
    }

    internal static void WriteAtomically(string path, string text)
    {
        var temporary = path + $".{Environment.ProcessId}.tmp";
        File.WriteAllText(temporary, text);
        File.Move(temporary, path, overwrite: true);
    }
}

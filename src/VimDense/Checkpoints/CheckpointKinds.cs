using System.Buffers.Binary;
using static TorchSharp.torch;

namespace VimDense.Checkpoints;

/// <summary>
/// Which kind of checkpoint a file is, told from its content (not its extension), and the one-line errors for a file
/// of the wrong kind. There are three kinds: a VimDense training checkpoint (safetensors whose metadata format is
/// <see cref="TrainingFormat"/>: "model.", "optim.", "ema." tensors), a whole-model state dict (.pth or .safetensors
/// naming the model's own parameters: <c>backbone.…</c>, <c>neck.…</c>, <c>decode_head.…</c>; what `vimdense
/// convert` writes) and a backbone state dict (an ImageNet classifier's weights, e.g. the official Vim .pth: what
/// <c>model.backbone.pretrained</c> takes). eval, predict and load_from need one of the first two.
/// </summary>
public static class CheckpointKinds
{
    /// <summary>The "format" metadata of a training checkpoint (written by <see cref="Engine.CheckpointStore"/>).</summary>
    public const string TrainingFormat = "vimdense-train-1";

    /// <summary>What a whole-model checkpoint is, for messages.</summary>
    public const string WholeModelHint =
        "a whole-model checkpoint: iter_N.safetensors (or best_*.safetensors) written by `vimdense train`, or a state dict of the whole model " +
        "(.pth or .safetensors, e.g. from `vimdense convert`)";

    /// <summary>Whether the file is a VimDense training checkpoint (a safetensors file with the training metadata).</summary>
    public static bool IsTraining(string path) =>
        LooksLikeSafeTensors(path) && SafeTensors.ReadMetadata(path).GetValueOrDefault("format") == TrainingFormat;

    /// <summary>
    /// The model weights a file holds: a training checkpoint's "model." tensors (overlaid with its "ema." ones when
    /// <paramref name="ema"/>), or a state dict as it is (a .pth's container is found as <see cref="TorchCheckpoint.LoadStateDict"/> does).
    /// A file that is neither a safetensors file nor a PyTorch checkpoint is refused with one line saying so.
    /// </summary>
    public static Dictionary<string, Tensor> ModelWeights(string path, bool ema = false)
    {
        IO.InputFile.CheckRegular(path, "checkpoint"); // directories, FIFOs and devices refused before any byte is read
        if (LooksLikeTorch(path)) return TorchCheckpoint.LoadStateDict(path);
        // A damaged .safetensors gets the safetensors reader's own diagnosis (truncated, bad header); anything else unknown is no checkpoint.
        if (!LooksLikeSafeTensors(path) && !path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
            throw new UserInputException($"{path}: not a checkpoint: neither a safetensors file nor a PyTorch .pth (zip or pickle)");
        var tensors = SafeTensors.Load(path);
        var training = SafeTensors.ReadMetadata(path).GetValueOrDefault("format") == TrainingFormat;
        // A state dict whose every name starts with "model." is a whole model saved under that key (as training checkpoints name it).
        if (!training && (tensors.Count == 0 || !tensors.Keys.All(k => k.StartsWith("model.", StringComparison.Ordinal)))) return tensors;
        var weights = Strip(tensors, "model.");
        // The average covers parameters and floating-point buffers; the rest (e.g. counters) stays as saved.
        if (ema)
            foreach (var (name, value) in Strip(tensors, "ema."))
                if (weights.ContainsKey(name)) weights[name] = value;
        var kept = new HashSet<Tensor>(weights.Values, ReferenceEqualityComparer.Instance);
        foreach (var value in tensors.Values)
            if (!kept.Contains(value)) value.Dispose();
        return weights;
    }

    /// <summary>
    /// Checks that <paramref name="weights"/> (from <paramref name="path"/>) name every parameter and buffer of
    /// <paramref name="model"/>; otherwise throws one line saying which kind of file it is and what
    /// <paramref name="use"/> ("eval and predict", "load_from") needs instead. Shapes are checked by the load itself.
    /// </summary>
    public static void RequireWholeModel(string path, IReadOnlyDictionary<string, Tensor> weights, nn.Module model, string use)
    {
        var targets = StateDicts.Targets(model);
        var missing = targets.Keys.Where(k => !weights.ContainsKey(k)).ToList();
        if (missing.Count == 0) return;
        // Names the model has under "backbone." but the file has without it: the backbone alone.
        var backboneNames = targets.Keys.Where(k => k.StartsWith("backbone.", StringComparison.Ordinal)).Select(k => k["backbone.".Length..]).ToHashSet();
        var asBackbone = weights.Keys.Count(backboneNames.Contains);
        if (asBackbone > 0 && asBackbone * 2 >= weights.Count - weights.Keys.Count(k => k.StartsWith("head.", StringComparison.Ordinal)))
            throw new UserInputException(
                $"{path}: a backbone checkpoint ({weights.Count} tensors named as the backbone alone, e.g. '{weights.Keys.First(backboneNames.Contains)}'; " +
                $"an ImageNet classifier's weights such as the official Vim .pth), not a whole model: {use} {Need(use)} {WholeModelHint}; " +
                $"to start training from it, use it as the backbone's initialisation: --set model.backbone.pretrained={path}");
        throw new UserInputException(
            $"{path}: not a checkpoint of this model: {missing.Count} of its {targets.Count} tensors are missing (e.g. '{missing[0]}')" +
            (weights.Count > 0 ? $"; the file names {weights.Count} tensors such as '{weights.Keys.First()}'" : "") +
            $"; {use} {Need(use)} {WholeModelHint} of the config's model");
    }

    private static string Need(string use) => use.Contains(" and ", StringComparison.Ordinal) ? "need" : "needs";

    /// <summary>safetensors: an 8-byte little-endian header length (within the file) followed by a JSON object.</summary>
    private static bool LooksLikeSafeTensors(string path)
    {
        using var file = IO.InputFile.OpenRead(path, "checkpoint");
        Span<byte> head = stackalloc byte[9];
        if (file.Read(head) < 9) return false;
        var length = BinaryPrimitives.ReadUInt64LittleEndian(head);
        return length > 0 && length <= (ulong)(file.Length - 8) && head[8] == (byte)'{';
    }

    /// <summary>torch.save's zip ("PK\x03\x04") or legacy pickle (PROTO opcode) layout.</summary>
    private static bool LooksLikeTorch(string path)
    {
        using var file = IO.InputFile.OpenRead(path, "checkpoint");
        Span<byte> head = stackalloc byte[4];
        var read = file.Read(head);
        return read >= 4 && head[0] == (byte)'P' && head[1] == (byte)'K' && head[2] == 3 && head[3] == 4 || read >= 2 && head[0] == 0x80 && head[1] <= 5;
    }

    private static Dictionary<string, Tensor> Strip(Dictionary<string, Tensor> tensors, string prefix) =>
        tensors.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value);
}

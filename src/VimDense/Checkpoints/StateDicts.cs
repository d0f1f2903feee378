using static TorchSharp.torch;

namespace VimDense.Checkpoints;

/// <summary>Loads state dicts from either checkpoint format and copies them into modules by name.</summary>
public static class StateDicts
{
    private static readonly string[] TorchExtensions = [".pth", ".pt", ".bin", ".ckpt", ".tar"];

    /// <summary>
    /// A state dict from a PyTorch checkpoint (<c>.pth .pt .bin .ckpt .tar</c>; <paramref name="key"/> picks the
    /// container, see <see cref="TorchCheckpoint.LoadStateDict"/>) or a <c>.safetensors</c> file.
    /// </summary>
    public static Dictionary<string, Tensor> Load(string path, string? key = null)
    {
        var extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension == ".safetensors")
        {
            if (key is not null) throw new UserInputException($"{path}: a safetensors file holds one state dict; --key '{key}' applies to .pth files only");
            return SafeTensors.Load(path);
        }
        if (TorchExtensions.Contains(extension)) return TorchCheckpoint.LoadStateDict(path, key);
        throw new UserInputException($"{path}: unknown checkpoint extension '{extension}'; expected .safetensors or {string.Join(" ", TorchExtensions)}");
    }

    /// <summary>
    /// Copies each entry whose name and shape match a parameter or persistent buffer of the module
    /// (under no_grad, converting dtype and device as needed) and reports the rest. With
    /// <paramref name="strict"/>, a report that is not clean throws before anything is copied.
    /// </summary>
    public static LoadReport LoadInto(nn.Module module, IReadOnlyDictionary<string, Tensor> stateDict, bool strict, string source)
    {
        var targets = Targets(module);

        var missing = targets.Keys.Where(name => !stateDict.ContainsKey(name)).ToList();
        var unexpected = stateDict.Keys.Where(name => !targets.ContainsKey(name)).ToList();
        var mismatched = new List<string>();
        var adapted = new List<string>();
        var toCopy = new List<(Tensor Target, Tensor Source)>();
        foreach (var (name, value) in stateDict)
        {
            if (!targets.TryGetValue(name, out var target)) continue;
            if (!value.shape.SequenceEqual(target.shape))
            {
                mismatched.Add($"{name}: checkpoint {Shape(value)} vs model {Shape(target)}");
                continue;
            }
            if (value.dtype != target.dtype) adapted.Add($"{name}: {value.dtype} -> {target.dtype}");
            toCopy.Add((target, value));
        }

        var report = new LoadReport(missing, unexpected, mismatched, adapted);
        if (strict && !report.IsClean)
            throw new UserInputException($"{source}: checkpoint does not match the model: {report}");
        using (no_grad())
            foreach (var (target, value) in toCopy) target.copy_(value);
        return report;
    }

    /// <summary>
    /// The parameters and persistent buffers <see cref="LoadInto"/> fills, by name. TorchSharp's <c>state_dict()</c>
    /// can list more: a child module reachable through two fields (say a property and its compiler-generated
    /// backing field) appears under both names there, but once here.
    /// </summary>
    public static Dictionary<string, Tensor> Targets(nn.Module module)
    {
        var targets = new Dictionary<string, Tensor>();
        foreach (var (name, parameter) in module.named_parameters(recurse: true)) targets[name] = parameter;
        foreach (var (name, buffer) in module.named_buffers(recurse: true, include_nonpersistent: false)) targets[name] = buffer;
        return targets;
    }

    private static string Shape(Tensor t) => "(" + string.Join(", ", t.shape) + ")";
}

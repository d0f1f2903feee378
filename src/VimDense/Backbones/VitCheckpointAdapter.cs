using VimDense.Checkpoints;
using VimDense.Layers;
using static TorchSharp.torch;

namespace VimDense.Backbones;

/// <summary>
/// Adapts a timm/DeiT state dict to a <see cref="VisionTransformer"/>: wrapper prefixes stripped, distillation
/// token/head and (when the model has none) head/norm dropped, pos_embed's class row (index 0) kept or dropped
/// and its patch rows resized bicubically to the model grid.
/// </summary>
public static class VitCheckpointAdapter
{
    /// <summary>Reads a checkpoint (.pth, plain or wrapped, or .safetensors), adapts it and copies it into the model.</summary>
    public static LoadReport LoadInto(VisionTransformer model, string checkpoint, bool strict)
    {
        var source = StateDicts.Load(checkpoint);
        try { return LoadInto(model, source, strict, checkpoint); }
        finally { foreach (var tensor in source.Values) tensor.Dispose(); }
    }

    /// <summary>Adapts an in-memory state dict and copies it into the model; the report lists the adaptations first.</summary>
    public static LoadReport LoadInto(VisionTransformer model, IReadOnlyDictionary<string, Tensor> source, bool strict, string sourceName)
    {
        var (adapted, notes) = Adapt(source, model);
        var report = StateDicts.LoadInto(model, adapted, strict, sourceName);
        return report with { Adapted = [.. notes, .. report.Adapted] };
    }

    public static (Dictionary<string, Tensor> StateDict, List<string> Notes) Adapt(IReadOnlyDictionary<string, Tensor> source, VisionTransformer model)
    {
        var notes = new List<string>();
        var stateDict = new Dictionary<string, Tensor>();
        foreach (var (key, value) in source)
        {
            var name = key;
            foreach (var prefix in new[] { "module.", "backbone.", "model." })
                if (name.StartsWith(prefix, StringComparison.Ordinal)) name = name[prefix.Length..];
            stateDict[name] = value;
        }
        var dropped = stateDict.Keys.Where(name => name.StartsWith("dist_token", StringComparison.Ordinal) || name.StartsWith("head_dist.", StringComparison.Ordinal)
            || (!model.HasHead && name.StartsWith("head.", StringComparison.Ordinal))
            || (!model.HasFinalNorm && name.StartsWith("norm.", StringComparison.Ordinal))
            || (model.Placement == ClassTokenPlacement.None && name == "cls_token")).ToList();
        foreach (var name in dropped) stateDict.Remove(name);
        if (dropped.Count > 0) notes.Add($"dropped {string.Join(", ", dropped)}");

        if (stateDict.TryGetValue("pos_embed", out var posEmbed))
        {
            var extra = source.Keys.Any(k => k.EndsWith("dist_token", StringComparison.Ordinal)) ? 2 : 1;
            var patches = posEmbed.shape[1] - extra;
            // The model's grid decides first (a non-square 8 x 12 embedding is that grid), then a square.
            var grid = PositionEmbeddingResize.SourceGrid(patches, model.Grid) ?? PositionEmbeddingResize.SourceGrid(patches + extra, model.Grid)
                ?? throw new UserInputException($"pos_embed has {posEmbed.shape[1]} rows: neither the model's {model.Grid.Rows}x{model.Grid.Cols} grid nor a square grid, plus class row(s)");
            if ((long)grid.H * grid.W == posEmbed.shape[1]) extra = 0;          // a checkpoint without class rows
            var classRows = posEmbed.narrow(1, 0, Math.Min(extra, 1));
            var patchRows = posEmbed.narrow(1, extra, (long)grid.H * grid.W);
            var resized = PositionEmbeddingResize.Resize(patchRows, grid, model.Grid);
            var keepClass = model.Placement == ClassTokenPlacement.Head && classRows.shape[1] == 1;
            stateDict["pos_embed"] = keepClass ? cat([classRows, resized], 1) : resized;
            notes.Add($"pos_embed: {grid.H}x{grid.W} -> {model.Grid.Rows}x{model.Grid.Cols} (bicubic){(keepClass ? "" : ", class rows dropped")}");
        }
        return (stateDict, notes);
    }
}

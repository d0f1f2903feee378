using VimDense.Checkpoints;
using VimDense.Layers;
using static TorchSharp.torch;

namespace VimDense.Backbones;

/// <summary>
/// Adapts a Vim state dict to a <see cref="VisionMamba"/> configuration at the edge, timm-style, so the model
/// itself never sees checkpoint quirks:
/// - wrapper prefixes (<c>module.</c>, <c>backbone.</c>, <c>model.</c>) are stripped;
/// - <c>rope.*</c>, and <c>head.*</c> / <c>norm_f.*</c> when the model has none, are dropped;
/// - <c>pos_embed</c>: the class rows are taken at their actual indices (98 for the 224 middle-class-token
///   checkpoints, not row 0 as the reference seg/det loaders assume), the patch rows are resized bicubically
///   (align_corners = False) from the checkpoint grid to the model grid, and the class rows the model wants are
///   re-inserted at its layout's positions;
/// - class tokens the model has no place for are dropped.
/// </summary>
public static class VimCheckpointAdapter
{
    private static readonly string[] WrapperPrefixes = ["module.", "backbone.", "model."];

    /// <summary>Reads a checkpoint (.pth, plain or wrapped, or .safetensors), adapts it and copies it into the model.</summary>
    public static LoadReport LoadInto(VisionMamba model, string checkpoint, bool strict)
    {
        var source = StateDicts.Load(checkpoint);
        try { return LoadInto(model, source, strict, checkpoint); }
        finally { foreach (var tensor in source.Values) tensor.Dispose(); }
    }

    /// <summary>Adapts an in-memory state dict and copies it into the model; the report lists the adaptations first.</summary>
    public static LoadReport LoadInto(VisionMamba model, IReadOnlyDictionary<string, Tensor> source, bool strict, string sourceName)
    {
        var (adapted, notes) = Adapt(source, model);
        var report = StateDicts.LoadInto(model, adapted, strict, sourceName);
        return report with { Adapted = [.. notes, .. report.Adapted] };
    }

    /// <summary>
    /// The adapted state dict and one note per change. <paramref name="sourcePlacement"/> says where the
    /// checkpoint's class token sits; null infers it (cls_token_head/tail: double; cls_token: middle, as every
    /// released Vim checkpoint; none otherwise).
    /// </summary>
    public static (Dictionary<string, Tensor> StateDict, List<string> Notes) Adapt(
        IReadOnlyDictionary<string, Tensor> source, VisionMamba model, ClassTokenPlacement? sourcePlacement = null)
    {
        var notes = new List<string>();
        var stateDict = new Dictionary<string, Tensor>();
        foreach (var (key, value) in source)
        {
            var name = StripPrefixes(key);
            if (name != key && notes.Count == 0) notes.Add($"keys: stripped wrapper prefix of '{key}'");
            stateDict[name] = value;
        }

        Drop(stateDict, notes, name => name.StartsWith("rope.", StringComparison.Ordinal), "RoPE tables (buffers, not learned: rebuilt for the input grid when rope is on)");
        if (!model.HasHead) Drop(stateDict, notes, name => name.StartsWith("head.", StringComparison.Ordinal), "classification head (model has none)");
        if (!model.HasFinalNorm) Drop(stateDict, notes, name => name.StartsWith("norm_f.", StringComparison.Ordinal), "norm_f (unused by this feature source)");

        var placement = sourcePlacement ?? (stateDict.ContainsKey("cls_token_head") ? ClassTokenPlacement.Double
            : stateDict.ContainsKey("cls_token") ? ClassTokenPlacement.Middle : ClassTokenPlacement.None);
        if (stateDict.TryGetValue("pos_embed", out var posEmbed))
            stateDict["pos_embed"] = AdaptPositionEmbedding(posEmbed, placement, model, notes);
        AdaptClassTokens(stateDict, placement, model.Placement, notes);
        return (stateDict, notes);
    }

    private static string StripPrefixes(string key)
    {
        for (var changed = true; changed;)
        {
            changed = false;
            foreach (var prefix in WrapperPrefixes)
                if (key.StartsWith(prefix, StringComparison.Ordinal)) { key = key[prefix.Length..]; changed = true; }
        }
        return key;
    }

    private static void Drop(Dictionary<string, Tensor> stateDict, List<string> notes, Func<string, bool> predicate, string why)
    {
        var names = stateDict.Keys.Where(predicate).ToList();
        foreach (var name in names) stateDict.Remove(name);
        if (names.Count > 0) notes.Add($"dropped {string.Join(", ", names)}: {why}");
    }

    private static Tensor AdaptPositionEmbedding(Tensor posEmbed, ClassTokenPlacement placement, VisionMamba model, List<string> notes)
    {
        if (posEmbed.dim() != 3 || posEmbed.shape[0] != 1 || posEmbed.shape[2] != model.EmbedDim)
            throw new UserInputException($"pos_embed of shape [{string.Join(", ", posEmbed.shape)}]: expected (1, rows, {model.EmbedDim})");
        var sourceCount = new ClassTokenLayout(placement, 0).Count;
        var patches = posEmbed.shape[1] - sourceCount;
        // The target grid decides: rows that already fill it (8 x 12 = 96) are that grid; others must be a square.
        var sourceGrid = PositionEmbeddingResize.SourceGrid(patches, model.Grid)
            ?? throw new UserInputException($"pos_embed has {posEmbed.shape[1]} rows: with {sourceCount} class row(s) ({placement}), " +
                $"{patches} is neither the model's {model.Grid.Rows}x{model.Grid.Cols} grid nor a square grid");
        var sourceLayout = new ClassTokenLayout(placement, (int)patches);
        var targetLayout = new ClassTokenLayout(model.Placement, model.Grid.Rows * model.Grid.Cols);
        if (sourceLayout == targetLayout && sourceGrid == model.Grid) return posEmbed;

        var (classRows, patchRows) = sourceLayout.SplitPositionRows(posEmbed);
        var resized = PositionEmbeddingResize.Resize(patchRows, sourceGrid, model.Grid);
        Tensor targetClassRows;
        if (targetLayout.Count == 0) targetClassRows = classRows.narrow(1, 0, 0);
        else if (sourceLayout.Count == 0)
        {
            // Nothing to import for the class slots: keep the model's own rows there.
            using var current = targetLayout.SplitPositionRows(model.get_parameter("pos_embed")!.detach()).ClassRows;
            targetClassRows = current.clone();
            notes.Add("pos_embed: checkpoint has no class row; the model's initial class rows are kept");
        }
        else targetClassRows = cat(Enumerable.Range(0, targetLayout.Count).Select(i => classRows.narrow(1, Math.Min(i, sourceLayout.Count - 1), 1)).ToArray(), 1);

        var classNote = sourceLayout.Count == 0 ? "" : targetLayout.Count == 0
            ? $", class row{(sourceLayout.Count > 1 ? "s" : "")} {string.Join("/", sourceLayout.Indices)} dropped"
            : $", class row{(sourceLayout.Count > 1 ? "s" : "")} {string.Join("/", sourceLayout.Indices)} -> {string.Join("/", targetLayout.Indices)}";
        notes.Add(sourceGrid == model.Grid ? $"pos_embed: {sourceGrid.H}x{sourceGrid.W} grid kept{classNote}"
            : $"pos_embed: resized {sourceGrid.H}x{sourceGrid.W} -> {model.Grid.Rows}x{model.Grid.Cols} (bicubic){classNote}");
        return targetLayout.JoinPositionRows(targetClassRows, resized);
    }

    private static void AdaptClassTokens(Dictionary<string, Tensor> stateDict, ClassTokenPlacement source, ClassTokenPlacement target, List<string> notes)
    {
        if (target == ClassTokenPlacement.None)
        {
            Drop(stateDict, notes, name => name.StartsWith("cls_token", StringComparison.Ordinal), "class token (dense model has none)");
            return;
        }
        if (target == ClassTokenPlacement.Double && source is ClassTokenPlacement.Middle or ClassTokenPlacement.Head
            && stateDict.Remove("cls_token", out var single))
        {
            stateDict["cls_token_head"] = single;
            stateDict["cls_token_tail"] = single;
            notes.Add("cls_token: copied to cls_token_head and cls_token_tail");
        }
        else if (target != ClassTokenPlacement.Double && source == ClassTokenPlacement.Double
                 && stateDict.Remove("cls_token_head", out var headToken))
        {
            stateDict.Remove("cls_token_tail");
            stateDict["cls_token"] = headToken;
            notes.Add("cls_token_head: used as cls_token (cls_token_tail dropped)");
        }
    }
}

namespace VimDense.Backbones;

/// <summary>
/// Builds backbones by name: vim_tiny | vim_small | vim_base (Vision Mamba, depth 24, D 192/384/768) and
/// deit_tiny | deit_small | deit_base (DeiT/ViT, depth 12, 3/6/12 heads). Segmentation and detection configs
/// call <see cref="Create"/> with a JSON-bound <see cref="BackboneOptions"/>.
/// (Named BackboneFactory rather than "Backbones" because a type cannot share its namespace's name usefully.)
/// </summary>
public static class BackboneFactory
{
    private sealed record Variant(bool IsVim, int EmbedDim, int Depth, int Heads);

    private static readonly Dictionary<string, Variant> Variants = new(StringComparer.OrdinalIgnoreCase)
    {
        ["vim_tiny"] = new(true, 192, 24, 0),
        ["vim_small"] = new(true, 384, 24, 0),
        ["vim_base"] = new(true, 768, 24, 0),
        ["deit_tiny"] = new(false, 192, 12, 3),
        ["deit_small"] = new(false, 384, 12, 6),
        ["deit_base"] = new(false, 768, 12, 12),
    };

    public static IReadOnlyCollection<string> Names => Variants.Keys;

    public static bool IsVim(string name) => Find(name).IsVim;

    /// <summary>A backbone (a TorchSharp module implementing <see cref="IBackbone"/>) with the reference initialisation.</summary>
    public static IBackbone Create(string name, BackboneOptions? options = null)
    {
        var variant = Find(name);
        var resolved = (options ?? new BackboneOptions()).Clone();
        resolved.Depth ??= variant.Depth;
        if (resolved.ImgSize < resolved.PatchSize || (resolved.ImgWidth ?? resolved.ImgSize) < resolved.PatchSize)
            throw new UserInputException($"image size {resolved.ImgSize}x{resolved.ImgWidth ?? resolved.ImgSize}: smaller than the patch {resolved.PatchSize}");
        return variant.IsVim
            ? new VisionMamba(variant.EmbedDim, resolved)
            : new VisionTransformer(variant.EmbedDim, variant.Heads, resolved);
    }

    /// <summary>
    /// The requested out indices (negative ones count from the end), or the defaults: 5,11,17,23 for 24 blocks,
    /// 3,5,7,11 for 12 (the reference seg configs), otherwise four evenly spaced blocks ending with the last.
    /// </summary>
    public static int[] ResolveOutIndices(int[]? requested, int depth)
    {
        int[] indices = requested is { Length: > 0 } ? requested.Select(i => i < 0 ? depth + i : i).ToArray()
            : depth == 24 ? [5, 11, 17, 23]
            : depth == 12 ? [3, 5, 7, 11]
            : Enumerable.Range(1, Math.Min(4, depth)).Select(k => k * depth / Math.Min(4, depth) - 1).Distinct().ToArray();
        foreach (var index in indices)
            if (index < 0 || index >= depth) throw new UserInputException($"out index {index}: the model has blocks 0..{depth - 1}");
        return indices;
    }

    /// <summary>Number of blocks in a state dict (layers.N.* for Vim, blocks.N.* for ViT, after wrapper prefixes), or null.</summary>
    public static int? InferDepth(IEnumerable<string> keys)
    {
        var indices = keys.Select(key => key.Split('.'))
            .Select(parts => Array.FindIndex(parts, p => p is "layers" or "blocks") is var at && at >= 0 && at + 1 < parts.Length
                && int.TryParse(parts[at + 1], out var index) ? index : -1)
            .Where(index => index >= 0).ToList();
        return indices.Count == 0 ? null : indices.Max() + 1;
    }

    private static Variant Find(string name) => Variants.TryGetValue(name, out var variant) ? variant
        : throw new UserInputException($"backbone '{name}': expected one of {string.Join(", ", Variants.Keys)}");
}

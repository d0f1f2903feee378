using VimDense.Config;

namespace VimDense.Backbones;

/// <summary>
/// The backbone registry: every <see cref="VimVariant"/> (vim_tiny | vim_small | vim_base, configured by
/// <see cref="VimOptions"/>) and <see cref="VitVariant"/> (deit_tiny | deit_small | deit_base, <see cref="VitOptions"/>)
/// by name; other assemblies may register more. Configs name a backbone in model.backbone.type and bind
/// model.backbone.options into its family's options.
/// (Named BackboneFactory rather than "Backbones" because a type cannot share its namespace's name usefully.)
/// </summary>
public static class BackboneFactory
{
    /// <summary>Backbones by name (the build context is unused).</summary>
    public static ComponentRegistry<object?, IBackbone> Registry { get; } = CreateRegistry();

    public static IReadOnlyCollection<string> Names => Registry.Names;

    public static bool IsVim(string name) => Registry.OptionsType(name) == typeof(VimOptions);

    /// <summary>A backbone (a TorchSharp module implementing <see cref="IBackbone"/>) with the reference initialisation; null options = the family's defaults.</summary>
    public static IBackbone Create(string name, BackboneOptions? options = null) => options is null
        ? Registry.Build(name, ConfigSection.Parse(name, "{}"), null)
        : Registry.Build(name, options, null);

    /// <summary>The backbone a config describes (model.backbone.type and .options).</summary>
    public static IBackbone Create(BackboneConfig config)
    {
        var backbone = Registry.Build(config.Type, config.Options, null, "model.backbone.type");
        backbone.CheckpointLayers = config.CheckpointLayers;
        return backbone;
    }

    /// <summary>The family options model.backbone.options binds into (checks a config without building the backbone).</summary>
    public static BackboneOptions BindOptions(BackboneConfig config) => (BackboneOptions)Registry.BindOptions(config.Type, config.Options, "model.backbone.type");

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


    private static ComponentRegistry<object?, IBackbone> CreateRegistry()
    {
        var registry = new ComponentRegistry<object?, IBackbone>("backbone");
        foreach (var variant in VimVariant.All) registry.Register<VimOptions>(variant.Name, (options, _) => variant.Create(options));
        foreach (var variant in VitVariant.All) registry.Register<VitOptions>(variant.Name, (options, _) => variant.Create(options));
        return registry;
    }
}

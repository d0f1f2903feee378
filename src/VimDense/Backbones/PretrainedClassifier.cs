using VimDense.Checkpoints;
using static TorchSharp.torch;

namespace VimDense.Backbones;

/// <summary>
/// A classification backbone (Dense = false) built to fit an ImageNet checkpoint and loaded strictly: depth from
/// the layer keys, classes from head.weight, the configured image size from the caller; for Vim, the patch
/// stride from the position embedding when not given (730 rows at 224: the 27 x 27 grid of the stride-8 "+"
/// models). Shared by `vimdense features` and `vimdense eval-cls`.
/// </summary>
public static class PretrainedClassifier
{
    /// <param name="options">The family's options to start from (a config's, or null for the defaults).</param>
    /// <param name="stride">Patch stride; null: inferred (Vim) or the options' own.</param>
    public static (IBackbone Model, LoadReport Report) Load(string name, string checkpoint, BackboneOptions? options,
        int height, int? width, int? stride)
    {
        var stateDict = StateDicts.Load(checkpoint);
        try
        {
            var isVim = BackboneFactory.IsVim(name);
            options ??= isVim ? new VimOptions() : new VitOptions();
            var resolved = options with
            {
                Dense = false,
                Depth = options.Depth ?? BackboneFactory.InferDepth(stateDict.Keys),
                ImgSize = height,
                ImgWidth = width,
                NumClasses = stateDict.FirstOrDefault(kv => kv.Key == "head.weight" || kv.Key.EndsWith(".head.weight", StringComparison.Ordinal))
                    .Value?.shape[0] is long classes ? (int)classes : 0,
            };
            resolved = resolved with { Stride = stride ?? (isVim ? InferStride(stateDict, resolved) : null) ?? resolved.Stride };
            var created = BackboneFactory.Create(name, resolved);
            var report = created switch
            {
                VisionMamba vim => VimCheckpointAdapter.LoadInto(vim, stateDict, strict: true, checkpoint),
                VisionTransformer vit => VitCheckpointAdapter.LoadInto(vit, stateDict, strict: true, checkpoint),
                _ => throw new InvalidOperationException($"backbone {name}: no checkpoint adapter"),
            };
            return (created, report);
        }
        finally
        {
            foreach (var tensor in stateDict.Values) tensor.Dispose();
        }
    }

    /// <summary>
    /// The stride whose square grid at the configured size has as many patches as the checkpoint's pos_embed
    /// (rows minus class rows), or null when none does (the adapter then resizes the embedding).
    /// </summary>
    internal static int? InferStride(IReadOnlyDictionary<string, Tensor> stateDict, BackboneOptions options)
    {
        var posEmbed = stateDict.FirstOrDefault(kv => kv.Key == "pos_embed" || kv.Key.EndsWith(".pos_embed", StringComparison.Ordinal)).Value;
        if (posEmbed is null || posEmbed.dim() != 3 || (options.ImgWidth ?? options.ImgSize) != options.ImgSize) return null;
        var classRows = stateDict.Keys.Count(k => k.EndsWith("cls_token", StringComparison.Ordinal) || k.EndsWith("cls_token_head", StringComparison.Ordinal)
            || k.EndsWith("cls_token_tail", StringComparison.Ordinal));
        var padding = options.PatchPadding ?? 0;                      // classification: no padding, as the reference
        foreach (var stride in new[] { options.Stride, 16, 8, 4, 32 })
        {
            var side = (options.ImgSize + 2 * padding - options.PatchSize) / stride + 1;
            if (stride > 0 && (long)side * side + classRows == posEmbed.shape[1]) return stride;
        }
        return null;
    }
}

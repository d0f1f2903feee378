using System.Text.RegularExpressions;

namespace VimDense.Engine;

/// <summary>
/// Maps a parameter name to its layer id for layer-wise learning-rate decay (BEiT/mmseg convention, with
/// <c>numLayers + 2</c> ids): embeddings (cls/mask token, pos_embed, patch_embed) are layer 0, block i is i + 1,
/// everything else (final norm, necks, heads) is numLayers + 1. The scale is rate^(numLayers + 1 − id).
/// The reference constructor (hustvl/Vim seg) only recognises DeiT's <c>blocks.i</c>, so every Vim
/// <c>layers.i</c> parameter silently got scale 1; <see cref="ReproduceReferenceBug"/> reproduces that.
/// </summary>
public sealed partial class LayerDecayRule(int numLayers, double rate, string prefix = "backbone.", bool reproduceReferenceBug = false)
{
    public int NumLayers { get; } = numLayers;
    public double Rate { get; } = rate;
    public bool ReproduceReferenceBug { get; } = reproduceReferenceBug;

    public int LayerId(string name)
    {
        if (!name.StartsWith(prefix, StringComparison.Ordinal)) return NumLayers + 1;
        var local = name[prefix.Length..];
        if (local is "cls_token" or "mask_token" or "pos_embed" || local.StartsWith("patch_embed.", StringComparison.Ordinal))
            return 0;
        var match = BlockIndex().Match(local);
        if (match.Success && (match.Groups[1].Value == "blocks" || !ReproduceReferenceBug))
            return Math.Min(int.Parse(match.Groups[2].Value) + 1, NumLayers + 1);
        return NumLayers + 1;
    }

    public double Scale(string name) => Math.Pow(Rate, NumLayers + 1 - LayerId(name));

    [GeneratedRegex(@"^(blocks|layers)\.(\d+)\.")]
    private static partial Regex BlockIndex();
}

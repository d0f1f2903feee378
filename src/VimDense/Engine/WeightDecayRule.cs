namespace VimDense.Engine;

/// <summary>
/// Decides which parameters get weight decay. Exempt: tensors with ≤ 1 dimension (norm weights, biases, D) when
/// <see cref="ExemptOneDimensional"/>, names ending ".bias", and parameters whose last name segment is listed in
/// <see cref="ExemptNames"/> (pos_embed, cls_token, A_log, ... by default). The reference (hustvl/Vim seg) used only
/// the first two rules, so pos_embed and A_log were decayed: pass an empty list to reproduce it.
/// </summary>
public sealed class WeightDecayRule(IEnumerable<string>? exemptNames = null, bool exemptOneDimensional = true)
{
    public static readonly IReadOnlyList<string> DefaultExemptNames =
        ["pos_embed", "cls_token", "mask_token", "A_log", "A_b_log", "D", "D_b", "cls_emb", "absolute_pos_embed", "rel_pos_h", "rel_pos_w"];

    public IReadOnlySet<string> ExemptNames { get; } = new HashSet<string>(exemptNames ?? DefaultExemptNames, StringComparer.Ordinal);
    public bool ExemptOneDimensional { get; } = exemptOneDimensional;

    public bool Decays(string name, long dimensions)
    {
        if (ExemptOneDimensional && dimensions <= 1) return false;
        if (name.EndsWith(".bias", StringComparison.Ordinal)) return false;
        var last = name[(name.LastIndexOf('.') + 1)..];
        return !ExemptNames.Contains(last);
    }
}

using TorchSharp;
using TorchSharp.Modules;

namespace VimDense.Engine;

/// <summary>
/// Decides which parameters get weight decay. Exempt: tensors with ≤ 1 dimension (norm weights, biases, D) when
/// <see cref="ExemptOneDimensional"/>; names ending ".bias" when <see cref="ExemptBias"/>; parameters whose last name
/// segment is listed in <see cref="ExemptNames"/> (pos_embed, cls_token, A_log, ... by default); and, when
/// <see cref="ExemptTorchNorms"/>, the parameters owned directly by a torch normalisation module (LayerNorm,
/// BatchNorm, GroupNorm, InstanceNorm: detectron2's <c>weight_decay_norm=0</c>, whose type list does not include
/// its own channel LayerNorm, <see cref="Layers.LayerNorm2d"/>, nor RMSNorm).
/// The mmseg constructor of hustvl/Vim seg uses the first two rules (so pos_embed and A_log were decayed: pass an
/// empty name list to reproduce it); detectron2's <c>get_default_optimizer_params</c> uses only the norm rule and
/// a pos_embed override (bias decayed like weights: <c>weight_decay_bias=None</c>).
/// </summary>
public sealed class WeightDecayRule(IEnumerable<string>? exemptNames = null, bool exemptOneDimensional = true,
    bool exemptBias = true, bool exemptTorchNorms = false)
{
    public static readonly IReadOnlyList<string> DefaultExemptNames =
        ["pos_embed", "cls_token", "mask_token", "A_log", "A_b_log", "D", "D_b", "cls_emb", "absolute_pos_embed", "rel_pos_h", "rel_pos_w"];

    public IReadOnlySet<string> ExemptNames { get; } = new HashSet<string>(exemptNames ?? DefaultExemptNames, StringComparer.Ordinal);
    public bool ExemptOneDimensional { get; } = exemptOneDimensional;
    public bool ExemptBias { get; } = exemptBias;
    public bool ExemptTorchNorms { get; } = exemptTorchNorms;

    /// <param name="ownedByTorchNorm">Whether the parameter belongs directly to a torch norm module (see <see cref="TorchNormParameters"/>).</param>
    public bool Decays(string name, long dimensions, bool ownedByTorchNorm = false)
    {
        if (ExemptTorchNorms && ownedByTorchNorm) return false;
        if (ExemptOneDimensional && dimensions <= 1) return false;
        if (ExemptBias && name.EndsWith(".bias", StringComparison.Ordinal)) return false;
        var last = name[(name.LastIndexOf('.') + 1)..];
        return !ExemptNames.Contains(last);
    }

    /// <summary>
    /// The parameters held directly by torch normalisation modules (detectron2's norm_module_types), by object
    /// identity, not name: a module enumeration can name a property-held child by its backing field, while
    /// <c>named_parameters</c> names it by the property.
    /// </summary>
    public static IReadOnlySet<Parameter> TorchNormParameters(torch.nn.Module model)
    {
        var parameters = new HashSet<Parameter>(ReferenceEqualityComparer.Instance);
        foreach (var (_, module) in model.named_modules())
        {
            if (!IsTorchNorm(module)) continue;
            foreach (var (_, parameter) in module.named_parameters(recurse: false)) parameters.Add(parameter);
        }
        return parameters;
    }

    private static bool IsTorchNorm(torch.nn.Module module) => module is LayerNorm or BatchNorm1d or BatchNorm2d or BatchNorm3d
        or GroupNorm or InstanceNorm1d or InstanceNorm2d or InstanceNorm3d or LocalResponseNorm;
}

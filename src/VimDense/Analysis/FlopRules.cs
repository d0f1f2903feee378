namespace VimDense.Analysis;

/// <summary>
/// Which modules' calls cost what (<see cref="FlopRule"/> per module type), as one immutable table: the standard
/// rules cover torch's convolutions and linear layers, the Vim mixer (with its selective scan), ViT attention, and
/// optionally the norms; heads add their own with <see cref="With"/>. A module type without a rule costs nothing itself
/// (its children are counted by theirs), so elementwise work, activations, pooling and interpolation are free.
/// </summary>
public sealed class FlopRules
{
    private readonly IReadOnlyDictionary<Type, FlopRule> rules;

    private FlopRules(IReadOnlyDictionary<Type, FlopRule> rules, bool countsNorms)
    {
        this.rules = rules;
        CountsNorms = countsNorms;
    }

    /// <summary>Whether norm layers are counted.</summary>
    public bool CountsNorms { get; }

    /// <summary>The rules of torch's layers and VimDense's backbones (norms when <paramref name="countNorms"/>).</summary>
    public static FlopRules Standard(bool countNorms = false) =>
        new(LayerFlops.TorchRules(countNorms).Concat(BackboneFlops.Rules(countNorms)).ToDictionary(r => r.Type, r => r.Rule), countNorms);

    /// <summary>These rules and <paramref name="rule"/> for modules of exactly <paramref name="type"/> (replacing one it had).</summary>
    public FlopRules With(Type type, FlopRule rule) =>
        new(new Dictionary<Type, FlopRule>(rules) { [type] = rule }, CountsNorms);

    /// <summary>The rule for a module of <paramref name="type"/>, if any.</summary>
    public FlopRule? For(Type type) => rules.GetValueOrDefault(type);

    /// <summary>
    /// How the counts read, for reports: what one unit is and what is counted.
    /// </summary>
    public string Convention =>
        "FLOPs are multiply-adds (fvcore's and mmcv's unit): convolutions and linear layers; attention as its two matrix " +
        "products (q·kᵀ, weights·v; also for the fused SDPA kernel); the selective scan as " +
        $"{BackboneFlops.ScanPerState} per token, channel and state (Δ·A, B·(Δ·x), state update, C·h) plus " +
        $"{BackboneFlops.ScanPerChannel} per token and channel (Δ·x, D skip, z gate); " +
        (CountsNorms ? "norms fvcore-style (LayerNorm/GroupNorm/RMSNorm 5 per element, inference BatchNorm 2); "
            : "norms not counted (--norms counts them); ") +
        "elementwise ops, activations, pooling, interpolation, RoIAlign and NMS are not counted.";
}

namespace VimDense.Backbones;

/// <summary>
/// Which blocks of a backbone recompute their activations in backward (config model.backbone.checkpoint_layers:
/// false, true or N = the first N blocks; a block pair counts as one under bidirectional_pairs). A recomputed block
/// keeps only its inputs through the forward pass and runs again, with gradients, when backward reaches it
/// (<see cref="Ops.ActivationRecomputation"/>): less memory for about one more forward pass.
/// </summary>
public readonly record struct RecomputedBlocks
{
    public RecomputedBlocks(int count)
    {
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, "the number of recomputed blocks cannot be negative");
        Count = count;
    }

    /// <summary>Blocks 0..Count-1 are recomputed; <see cref="int.MaxValue"/> means all.</summary>
    public int Count { get; }

    public static RecomputedBlocks None => new(0);
    public static RecomputedBlocks All => new(int.MaxValue);

    public bool Any => Count > 0;
    public bool IsAll => Count == int.MaxValue;

    public bool Includes(int block) => block < Count;

    /// <summary>As the config writes it: false, true or the count.</summary>
    public override string ToString() => IsAll ? "true" : Count == 0 ? "false" : Count.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>"false", "true" or a non-negative count (bench and --set spellings); null when it is none of them.</summary>
    public static RecomputedBlocks? TryParse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "false" => None,
        "true" => All,
        var s when int.TryParse(s, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) => new RecomputedBlocks(n),
        _ => null,
    };
}

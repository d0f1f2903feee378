namespace VimDense.Datasets.Loading;

/// <summary>
/// An endless stream of dataset indices for iteration-based training: each epoch is a permutation of
/// 0..count−1 drawn from a RNG seeded by (seed, epoch) (or the identity when not shuffling). The state is
/// (epoch, position), so a run can be resumed exactly with <see cref="State"/>. Not thread-safe.
/// </summary>
public sealed class InfiniteSampler
{
    private int[] _order;

    public InfiniteSampler(int count, long seed, bool shuffle = true, SamplerState start = default)
    {
        if (count <= 0) throw new ArgumentException($"sampler needs a non-empty dataset (count {count})");
        if (start.Epoch < 0 || start.Position < 0 || start.Position > count)
            throw new ArgumentException($"invalid sampler state {start} for {count} items");
        Count = count;
        Seed = seed;
        Shuffle = shuffle;
        State = start;
        _order = Permutation(start.Epoch);
    }

    public int Count { get; }
    public long Seed { get; }
    public bool Shuffle { get; }

    /// <summary>The state before the next <see cref="Next"/>.</summary>
    public SamplerState State { get; private set; }

    /// <summary>The next (epoch, dataset index).</summary>
    public (int Epoch, int Index) Next()
    {
        if (State.Position == Count)
        {
            State = new SamplerState(State.Epoch + 1, 0);
            _order = Permutation(State.Epoch);
        }
        var item = (State.Epoch, _order[State.Position]);
        State = State with { Position = State.Position + 1 };
        return item;
    }

    /// <summary>The order of <paramref name="epoch"/>: Fisher–Yates over a RNG seeded by (seed, epoch).</summary>
    public int[] Permutation(int epoch)
    {
        var order = Enumerable.Range(0, Count).ToArray();
        if (!Shuffle) return order;
        var rng = new Random(SampleSeeds.ForEpoch(Seed, epoch));
        for (var i = Count - 1; i > 0; i--)
        {
            var j = rng.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }
}

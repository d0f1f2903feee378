namespace VimDense.Datasets.Loading;

/// <summary>
/// Rank <paramref name="rank"/>'s share of the first <paramref name="limit"/> items of a data set split across
/// <paramref name="worldSize"/> ranks for evaluation: items rank, rank + W, rank + 2W, … (every item in exactly one share).
/// </summary>
public sealed class StridedDataset<TSample>(IDataset<TSample> inner, int rank, int worldSize, int limit) : IDataset<TSample>
{
    public int Count { get; } = rank < Math.Min(limit, inner.Count) ? (Math.Min(limit, inner.Count) - rank + worldSize - 1) / worldSize : 0;

    public TSample Get(int index, Random rng) => inner.Get(rank + index * worldSize, rng);
}

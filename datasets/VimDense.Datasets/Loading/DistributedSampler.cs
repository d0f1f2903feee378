namespace VimDense.Datasets.Loading;

/// <summary>
/// One rank's share of the global index stream of an <see cref="InfiniteSampler"/> (torch's DistributedSampler over
/// mmengine's InfiniteSampler): rank r of W takes positions r, r + W, r + 2W, … of the one global stream, so W ranks
/// drawing b items each consume exactly the W·b items one process would draw for a batch of W·b. The state is the
/// global stream's, identical on every rank, so a checkpoint written by rank 0 resumes every rank.
/// </summary>
public sealed class DistributedSampler
{
    private readonly InfiniteSampler global;

    public DistributedSampler(int count, long seed, bool shuffle, SamplerState start, int rank, int worldSize)
    {
        if (worldSize < 1 || rank < 0 || rank >= worldSize)
            throw new ArgumentException($"invalid rank {rank} of world size {worldSize}");
        global = new InfiniteSampler(count, seed, shuffle, start);
        (Rank, WorldSize) = (rank, worldSize);
    }

    public int Rank { get; }
    public int WorldSize { get; }

    /// <summary>The global stream's state before the next <see cref="Next"/> (after whole rounds of W items).</summary>
    public SamplerState State => global.State;

    /// <summary>This rank's next (epoch, dataset index): the rank-th of the next W items of the global stream.</summary>
    public (int Epoch, int Index) Next()
    {
        (int Epoch, int Index) mine = default;
        for (var r = 0; r < WorldSize; r++)
        {
            var item = global.Next();
            if (r == Rank) mine = item;
        }
        return mine;
    }
}

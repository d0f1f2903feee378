namespace VimDense.Datasets.Loading;

/// <summary>Settings of a <see cref="DataLoader{TSample,TBatch}"/>.</summary>
public sealed record DataLoaderOptions
{
    /// <summary>Samples per batch.</summary>
    public int BatchSize { get; init; } = 2;

    /// <summary>Worker threads that load, transform and collate batches (≥ 1).</summary>
    public int Workers { get; init; } = 2;

    /// <summary>How many finished batches may wait ahead of the consumer.</summary>
    public int Prefetch { get; init; } = 4;

    /// <summary>Seed of the shuffling and of every sample's augmentation.</summary>
    public long Seed { get; init; }

    /// <summary>Shuffle each epoch (training) or read in order (evaluation).</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>
    /// Count and leave out samples whose loading raises <see cref="BadSampleException"/> (the batch is then
    /// smaller) instead of failing; the counts are reported at the end of each epoch.
    /// </summary>
    public bool SkipBadSamples { get; init; }

    /// <summary>This process's rank in data-parallel training: it loads its share of the global stream (<see cref="DistributedSampler"/>).</summary>
    public int Rank { get; init; }

    /// <summary>Number of data-parallel processes (1: the whole stream).</summary>
    public int WorldSize { get; init; } = 1;

    /// <summary>Where to resume the index stream (from a checkpoint's <see cref="DataLoader{TSample,TBatch}.State"/>).</summary>
    public SamplerState Start { get; init; }
}

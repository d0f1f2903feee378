namespace VimDense.Datasets;

/// <summary>
/// A finite, indexable data set whose samples may be randomly augmented. Implementations must be safe to
/// call from several threads at once and must draw every random number from <paramref name="rng"/> in
/// <see cref="Get"/> (never from shared state), so that a sample depends only on (index, rng seed).
/// </summary>
public interface IDataset<out TSample>
{
    /// <summary>Number of samples.</summary>
    int Count { get; }

    /// <summary>Loads and transforms sample <paramref name="index"/> (0-based).</summary>
    /// <exception cref="BadSampleException">The files of this sample are missing, unreadable or inconsistent.</exception>
    TSample Get(int index, Random rng);
}

namespace VimDense.Datasets.Loading;

/// <summary>
/// Derives independent seeds from tuples of integers with SplitMix64 finalisation, so that the random
/// stream of a sample depends only on (seed, epoch, index) and never on which worker or when it ran.
/// </summary>
public static class SampleSeeds
{
    /// <summary>Seed of the augmentation RNG for dataset item <paramref name="index"/> drawn in <paramref name="epoch"/>.</summary>
    public static int ForSample(long seed, int epoch, int index) => Fold(Mix(Mix(Mix((ulong)seed) ^ (ulong)(uint)epoch) ^ ((ulong)(uint)index << 1)));

    /// <summary>Seed of the shuffling permutation of <paramref name="epoch"/>.</summary>
    public static int ForEpoch(long seed, int epoch) => Fold(Mix(Mix((ulong)seed ^ 0x5DEECE66DUL) + (ulong)(uint)epoch));

    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static int Fold(ulong z) => (int)(z ^ (z >> 32)) & int.MaxValue;
}

namespace VimDense.Datasets.Loading;

/// <summary>
/// Where an <see cref="InfiniteSampler"/> stands: the epoch and the position inside that epoch's permutation.
/// Saving it with a checkpoint and passing it back resumes the exact same stream of indices.
/// </summary>
public readonly record struct SamplerState(int Epoch, int Position);

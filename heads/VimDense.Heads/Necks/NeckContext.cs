namespace VimDense.Heads.Necks;

/// <summary>What a neck builder gets besides the neck's options: the backbone's output channels and strides.</summary>
public sealed record NeckContext(IReadOnlyList<int> InChannels, IReadOnlyList<int> InStrides);

using VimDense.Config;

namespace VimDense.Heads.Necks;

/// <summary>What a neck builder gets: its config and the backbone's output channels and strides.</summary>
public sealed record NeckContext(NeckConfig Config, IReadOnlyList<int> InChannels, IReadOnlyList<int> InStrides);

using VimDense.Config;

namespace VimDense.Heads.Segmentation;

/// <summary>What a head builder gets: its config and the shapes of the feature maps it will see.</summary>
public sealed record HeadContext(HeadConfig Config, IReadOnlyList<int> InChannels, IReadOnlyList<int> InStrides, int NumClasses);

using TorchSharp.Modules;

namespace VimDense.Engine;

/// <summary>Parameters sharing a learning-rate scale and a weight decay.</summary>
public sealed record ParameterGroup(string Name, double LrScale, double WeightDecay, IReadOnlyList<(string Name, Parameter Parameter)> Parameters);

using static TorchSharp.torch;

namespace VimDense.Engine;

/// <summary>What a model's training step returns: the total loss to back-propagate and numbers to log.</summary>
public sealed record TrainStepResult(Tensor Loss, IReadOnlyDictionary<string, double> Scalars);

using VimDense.Datasets.Transforms;

namespace VimDense.Experiments;

/// <summary>How <see cref="ClassificationEvaluator"/> runs: the reference's transform, batch size, loader threads, device.</summary>
public sealed record ClassificationEvalOptions
{
    public ClassificationEvalTransform Transform { get; init; } = new();

    public int BatchSize { get; init; } = 64;

    /// <summary>Images decoded and transformed at once (the next batch loads while the model runs the current one).</summary>
    public int Workers { get; init; } = Math.Max(1, Environment.ProcessorCount);

    public string Device { get; init; } = "cpu";

    /// <summary>Evaluate the first N images only (0: all).</summary>
    public int MaxImages { get; init; }

    /// <summary>Keep every image's logits in <see cref="ClassificationEvaluation.Logits"/> (N x classes floats).</summary>
    public bool KeepLogits { get; init; }
}

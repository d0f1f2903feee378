using VimDense.Analysis;
using VimDense.Heads.Analysis;

namespace VimDense.Experiments;

/// <summary>
/// Parameters and FLOPs per module of an experiment's whole model (segmentor or detector) on one image of a chosen
/// size (see <see cref="ModelComplexity"/>; the rules are the standard ones plus the heads').
/// </summary>
public static class ExperimentComplexity
{
    /// <summary>The rules `complexity` counts with.</summary>
    public static FlopRules Rules(bool countNorms = false) => HeadFlopRules.AddTo(FlopRules.Standard(countNorms));

    /// <summary>Counts one inference pass of <paramref name="experiment"/>'s model at <paramref name="size"/> (default: the configured size).</summary>
    public static ComplexityReport Measure(Experiment experiment, (int Height, int Width)? size = null, bool countNorms = false)
    {
        using var model = InferenceModel.Of(experiment);
        var (height, width) = size ?? model.ConfiguredSize;
        using var images = model.RandomImages(height, width);
        return ModelComplexity.Measure(model.Module, () => model.Run(images), Rules(countNorms), $"1x3x{height}x{width}");
    }
}

namespace VimDense.Datasets.Evaluation;

/// <summary>
/// Parameters of COCO evaluation, as pycocotools' <c>Params</c> for 'bbox'/'segm' (the values are the exact
/// doubles NumPy produces, since they decide threshold comparisons).
/// </summary>
public sealed class CocoEvalParams
{
    public CocoEvalParams(CocoIouType iouType) => IouType = iouType;

    public CocoIouType IouType { get; }

    /// <summary>np.linspace(.5, .95, 10).</summary>
    public double[] IouThresholds { get; init; } = NumpyCompat.Linspace(.5, 0.95, (int)Math.Round((0.95 - .5) / .05, MidpointRounding.ToEven) + 1);

    /// <summary>np.linspace(0, 1, 101).</summary>
    public double[] RecallThresholds { get; init; } = NumpyCompat.Linspace(.0, 1.00, (int)Math.Round((1.00 - .0) / .01, MidpointRounding.ToEven) + 1);

    public int[] MaxDets { get; init; } = [1, 10, 100];

    /// <summary>Inclusive [lo, hi] area ranges: all, small, medium, large.</summary>
    public double[][] AreaRanges { get; init; } =
        [[0, 1e5 * 1e5], [0, 32 * 32], [32 * 32, 96 * 96], [96 * 96, 1e5 * 1e5]];

    public string[] AreaLabels { get; init; } = ["all", "small", "medium", "large"];
}

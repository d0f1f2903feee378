namespace VimDense.Experiments;

/// <summary>
/// One panel of <see cref="LogCurvesPlot"/>: a title, the y axis label and its lines, each a legend entry and its
/// (iteration, value) points (one run's key, or one key of several drawn together, such as the loss terms).
/// </summary>
public sealed record LogPanel(string Title, string YLabel, IReadOnlyList<(string Legend, IReadOnlyList<(long Iteration, double Value)> Points)> Lines);

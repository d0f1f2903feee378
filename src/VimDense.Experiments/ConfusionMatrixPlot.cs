using System.Globalization;
using VimDense.Datasets.Evaluation;

namespace VimDense.Experiments;

/// <summary>
/// The row-normalised confusion matrix as a ScottPlot heatmap (ground truth down, prediction across, one tick
/// labelled per class, a colour bar of the fraction 0..1, and the percentages written in the cells when the classes
/// are few enough to read them).
/// </summary>
public static class ConfusionMatrixPlot
{
    /// <summary>Up to this many classes the cells carry their percentage.</summary>
    public const int AnnotatedClasses = 20;

    public static void Write(string path, ConfusionMatrix matrix, IReadOnlyList<string> classNames)
    {
        var n = matrix.NumClasses;
        if (classNames.Count != n) throw new ArgumentException($"{classNames.Count} class names for {n} classes", nameof(classNames));
        var fractions = matrix.RowNormalized();
        var plot = new ScottPlot.Plot();
        var heatmap = plot.Add.Heatmap(fractions);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        heatmap.ManualRange = new ScottPlot.Range(0, 1);
        // Cell (row r, column c) centred at x = c, y = n-1-r: row 0 (the first class) on top, as the matrix reads.
        // ScottPlot's extent runs from the first cell's centre to the last's (the cells reach half a cell beyond).
        if (n > 1) heatmap.Extent = new ScottPlot.CoordinateRect(0, n - 1, 0, n - 1);
        plot.Add.ColorBar(heatmap);
        var columns = new ScottPlot.TickGenerators.NumericManual();
        var rows = new ScottPlot.TickGenerators.NumericManual();
        for (var k = 0; k < n; k++)
        {
            columns.AddMajor(k, classNames[k]);
            rows.AddMajor(n - 1 - k, classNames[k]);
        }
        plot.Axes.Bottom.TickGenerator = columns;
        plot.Axes.Left.TickGenerator = rows;
        plot.Axes.Bottom.TickLabelStyle.Rotation = 90;
        plot.Axes.Bottom.TickLabelStyle.Alignment = ScottPlot.Alignment.MiddleLeft;
        var tickSize = n <= 30 ? 12f : Math.Max(5f, 12f * 30 / n);
        plot.Axes.Bottom.TickLabelStyle.FontSize = tickSize;
        plot.Axes.Left.TickLabelStyle.FontSize = tickSize;
        plot.Axes.Bottom.MinimumSize = 20 + tickSize * classNames.Max(name => name.Length) * 0.7f;
        plot.XLabel("prediction");
        plot.YLabel("ground truth");
        plot.Title("confusion matrix (each row sums to 1)");
        plot.Axes.SetLimits(-0.5, n - 0.5, -0.5, n - 0.5);
        plot.Grid.IsVisible = false;
        if (n <= AnnotatedClasses)
            for (var r = 0; r < n; r++)
                for (var c = 0; c < n; c++)
                {
                    var text = plot.Add.Text((100 * fractions[r, c]).ToString("F0", CultureInfo.InvariantCulture), c, n - 1 - r);
                    text.LabelAlignment = ScottPlot.Alignment.MiddleCenter;
                    text.LabelFontSize = 11;
                    text.LabelFontColor = fractions[r, c] > 0.6 ? ScottPlot.Colors.Black : ScottPlot.Colors.White;
                }
        var size = Math.Clamp(200 + 14 * n, 500, 2400);
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        plot.SavePng(path, size + 120, size);
    }
}

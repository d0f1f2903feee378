using OpenCvSharp;

namespace VimDense.Experiments;

/// <summary>
/// analyze-logs' and training's curves: ScottPlot panels stacked top to bottom (for analyze-logs one per logged
/// series, "train/loss", "val/mIoU", each with one line per run), each with a legend, axis labels, ticks and grid.
/// Panels keep their own y scale: loss and lr differ by orders of magnitude.
/// </summary>
public static class LogCurvesPlot
{
    public const int PanelWidth = 800, PanelHeight = 360;

    /// <summary>One panel per series ("train/loss"), one line per run.</summary>
    public static void Write(string path, IReadOnlyList<LogCurve> curves)
    {
        if (curves.Count == 0) throw new ArgumentException("no curves to plot", nameof(curves));
        WritePanels(path, curves.GroupBy(c => c.Series)
            .Select(series => new LogPanel(series.Key, series.First().Key, series.Select(c => (c.Run, c.Points)).ToList())).ToList());
    }

    /// <summary>The panels stacked top to bottom, each <see cref="PanelWidth"/> × <see cref="PanelHeight"/> pixels.</summary>
    public static void WritePanels(string path, IReadOnlyList<LogPanel> panels)
    {
        if (panels.Count == 0) throw new ArgumentException("no panels to plot", nameof(panels));
        var pictures = new List<Mat>();
        try
        {
            foreach (var panel in panels)
            {
                var plot = new ScottPlot.Plot();
                foreach (var (legend, points) in panel.Lines)
                {
                    var line = plot.Add.Scatter(points.Select(p => (double)p.Iteration).ToArray(), points.Select(p => p.Value).ToArray());
                    line.LegendText = legend;
                    line.MarkerSize = points.Count == 1 ? 6 : 0; // a lone evaluation is a dot, not an invisible line
                    line.LineWidth = 2;
                }
                plot.Title(panel.Title);
                plot.XLabel("iteration");
                plot.YLabel(panel.YLabel);
                plot.ShowLegend();
                pictures.Add(Cv2.ImDecode(plot.GetImageBytes(PanelWidth, PanelHeight, ScottPlot.ImageFormat.Png), ImreadModes.Color));
            }
            using var picture = new Mat();
            Cv2.VConcat(pictures.ToArray(), picture);
            var dir = Path.GetDirectoryName(Path.GetFullPath(path));
            if (dir is not null) Directory.CreateDirectory(dir);
            if (!Cv2.ImWrite(path, picture)) throw new UserInputException($"{path}: cannot write the image");
        }
        finally
        {
            foreach (var picture in pictures) picture.Dispose();
        }
    }
}

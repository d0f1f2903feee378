using OpenCvSharp;

namespace VimDense.Experiments;

/// <summary>
/// analyze-logs' picture: one ScottPlot panel per logged series ("train/loss", "val/mIoU"), stacked top to bottom,
/// each with one line per run, a legend, axis labels, ticks and grid. Panels keep their own y scale: loss and lr
/// differ by orders of magnitude.
/// </summary>
public static class LogCurvesPlot
{
    public const int PanelWidth = 800, PanelHeight = 360;

    public static void Write(string path, IReadOnlyList<LogCurve> curves)
    {
        if (curves.Count == 0) throw new ArgumentException("no curves to plot", nameof(curves));
        var panels = new List<Mat>();
        try
        {
            foreach (var series in curves.GroupBy(c => c.Series))
            {
                var plot = new ScottPlot.Plot();
                foreach (var curve in series)
                {
                    var line = plot.Add.Scatter(curve.Points.Select(p => (double)p.Iteration).ToArray(), curve.Points.Select(p => p.Value).ToArray());
                    line.LegendText = curve.Run;
                    line.MarkerSize = curve.Points.Count == 1 ? 6 : 0; // a lone evaluation is a dot, not an invisible line
                    line.LineWidth = 2;
                }
                plot.Title(series.Key);
                plot.XLabel("iteration");
                plot.YLabel(series.First().Key);
                plot.ShowLegend();
                panels.Add(Cv2.ImDecode(plot.GetImageBytes(PanelWidth, PanelHeight, ScottPlot.ImageFormat.Png), ImreadModes.Color));
            }
            using var picture = new Mat();
            Cv2.VConcat(panels.ToArray(), picture);
            var dir = Path.GetDirectoryName(Path.GetFullPath(path));
            if (dir is not null) Directory.CreateDirectory(dir);
            if (!Cv2.ImWrite(path, picture)) throw new UserInputException($"{path}: cannot write the image");
        }
        finally
        {
            foreach (var panel in panels) panel.Dispose();
        }
    }
}

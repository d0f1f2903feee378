using OpenCvSharp;

namespace VimDense.Datasets.Visual;

/// <summary>Pictures of one size side by side, each under a strip holding its title ("image", "ground truth", "prediction").</summary>
public static class TitledPanels
{
    /// <summary>Background of the title (and legend) strips (BGR).</summary>
    public static readonly Scalar StripColour = new(40, 40, 40);

    /// <summary>The pictures (all of the first one's height) left to right under their titles, the font scaled to the first.</summary>
    public static Mat Row(IReadOnlyList<(string Title, Mat Picture)> panels)
    {
        if (panels.Count == 0) throw new ArgumentException("no panels", nameof(panels));
        var scale = OverlayText.FontScale(panels[0].Picture.Rows, panels[0].Picture.Cols);
        var height = panels.Max(p => OverlayText.LabelSize(p.Title, scale).Height);
        var titled = new List<Mat>();
        try
        {
            foreach (var (title, picture) in panels)
            {
                using var strip = new Mat(height, picture.Cols, MatType.CV_8UC3, StripColour);
                OverlayText.Label(strip, title, new Point(0, 0), StripColour, scale);
                var column = new Mat();
                Cv2.VConcat([strip, picture], column);
                titled.Add(column);
            }
            var row = new Mat();
            Cv2.HConcat(titled.ToArray(), row);
            return row;
        }
        finally
        {
            foreach (var m in titled) m.Dispose();
        }
    }
}

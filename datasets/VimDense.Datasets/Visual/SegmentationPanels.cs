using OpenCvSharp;

namespace VimDense.Datasets.Visual;

/// <summary>
/// mmseg's side-by-side visualisation: the image, then each label map ("ground truth", "prediction") blended 50/50
/// over it, each panel under its title, and a legend (colour and name) of the classes that occur in any of the maps.
/// Images under <see cref="OverlayText.MinShortSide"/> pixels are enlarged by a whole factor first (nearest
/// neighbour) so that the titles and legend are legible.
/// </summary>
public static class SegmentationPanels
{
    private static readonly Scalar StripColour = TitledPanels.StripColour;

    /// <param name="bgr">The image.</param>
    /// <param name="maps">Titled label maps of train ids, each labelHeight × labelWidth row-major (resized to the image).</param>
    /// <param name="classNames">The name of each train id (a missing name is shown as the id).</param>
    /// <param name="palette">R, G, B per train id (data.palette); null: <see cref="OverlayRenderer.ClassColour(int)"/>.</param>
    /// <param name="ignoreIndex">Label value drawn black and left out of the legend.</param>
    public static Mat Draw(Mat bgr, IReadOnlyList<(string Title, byte[] Labels)> maps, int labelHeight, int labelWidth,
        IReadOnlyList<string> classNames, IReadOnlyList<(byte R, byte G, byte B)>? palette = null, byte ignoreIndex = 255)
    {
        var k = OverlayText.UpscaleFactor(bgr.Rows, bgr.Cols);
        var panels = new List<Mat> { OverlayText.Enlarge(bgr, k) };
        try
        {
            foreach (var (_, labels) in maps) panels.Add(OverlayRenderer.Blend(panels[0], labels, labelHeight, labelWidth, ignoreIndex, palette));
            var scale = OverlayText.FontScale(panels[0].Rows, panels[0].Cols);
            string[] titles = ["image", .. maps.Select(m => m.Title)];
            using var row = TitledPanels.Row(panels.Select((panel, i) => (titles[i], panel)).ToList());
            var present = maps.SelectMany(m => m.Labels).Where(v => v != ignoreIndex).Distinct().Order().ToList();
            using var legend = Legend(present, classNames, palette, row.Cols, scale);
            var result = new Mat();
            Cv2.VConcat([row, legend], result);
            return result;
        }
        finally
        {
            foreach (var m in panels) m.Dispose();
        }
    }

    /// <summary>Rows of "■ name" entries across <paramref name="width"/> pixels, one per class that occurs.</summary>
    private static Mat Legend(IReadOnlyList<byte> classes, IReadOnlyList<string> classNames, IReadOnlyList<(byte R, byte G, byte B)>? palette,
        int width, double scale)
    {
        var entries = classes.Select(c => (Colour: OverlayRenderer.ClassColour(c, palette),
            Name: c < classNames.Count ? classNames[c] : c.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList();
        if (entries.Count == 0) entries.Add((StripColour, "no class"));
        var lineHeight = entries.Max(e => OverlayText.LabelSize(e.Name, scale).Height);
        var gap = lineHeight / 2;
        // Lay the entries out left to right, wrapping, before the strip's height is known.
        var places = new List<(int X, int Y)>();
        var (x, y) = (gap, gap);
        foreach (var (_, name) in entries)
        {
            var entryWidth = lineHeight + OverlayText.LabelSize(name, scale).Width;
            if (x > gap && x + entryWidth > width) (x, y) = (gap, y + lineHeight + gap);
            places.Add((x, y));
            x += entryWidth + gap;
        }
        var legend = new Mat(y + lineHeight + gap, width, MatType.CV_8UC3, StripColour);
        for (var i = 0; i < entries.Count; i++)
        {
            var (px, py) = places[i];
            var swatch = new Rect(px, py + lineHeight / 6, lineHeight * 2 / 3, lineHeight * 2 / 3);
            if (classes.Count > 0)
            {
                Cv2.Rectangle(legend, swatch, entries[i].Colour, -1);
                Cv2.Rectangle(legend, swatch, Scalar.White, 1);
            }
            OverlayText.Label(legend, entries[i].Name, new Point(px + lineHeight, py), StripColour, scale);
        }
        return legend;
    }
}

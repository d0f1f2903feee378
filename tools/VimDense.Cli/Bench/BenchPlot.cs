using OpenCvSharp;

namespace VimDense.Cli.Bench;

/// <summary>
/// Draws the paper's Fig. 1 (b)/(c) layout: images/s on a log10 axis and peak memory against resolution,
/// one line per model (and precision), as a PNG (OpenCV drawing primitives, no plotting library).
/// </summary>
internal static class BenchPlot
{
    private static readonly Scalar[] Colors = [new(40, 40, 200), new(200, 110, 30), new(40, 160, 40), new(150, 40, 150)];

    public static void Save(string path, IReadOnlyList<BenchResult> results)
    {
        using var image = new Mat(new Size(1200, 520), MatType.CV_8UC3, Scalar.White);
        var models = results.Select(r => r.Label).Distinct().ToList();
        var sizes = results.Select(r => r.Size).Distinct().Order().ToList();
        Panel(image, new Rect(70, 50, 480, 380), "images/s (log10)", sizes, models, results, r => Math.Log10(Math.Max(r.ImagesPerSecond, 1e-6)));
        Panel(image, new Rect(690, 50, 480, 380), "peak memory (MiB)", sizes, models, results, r => r.PeakMiB);
        for (var m = 0; m < models.Count; m++)
        {
            var y = 480;
            var x = 300 + m * 260;
            Cv2.Line(image, new Point(x, y - 5), new Point(x + 40, y - 5), Colors[m % Colors.Length], 3);
            Cv2.PutText(image, models[m], new Point(x + 50, y), HersheyFonts.HersheySimplex, 0.6, Scalar.Black, 1, LineTypes.AntiAlias);
        }
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null) Directory.CreateDirectory(directory);
        if (!Cv2.ImWrite(path, image)) throw new IOException($"{path}: could not write the PNG");
    }

    private static void Panel(Mat image, Rect area, string title, List<int> sizes, List<string> models,
        IReadOnlyList<BenchResult> results, Func<BenchResult, double> value)
    {
        var values = results.Select(value).ToList();
        double low = Math.Min(0, values.Min()), high = values.Max();
        if (high <= low) high = low + 1;
        high += (high - low) * 0.08;
        int minSize = sizes.First(), maxSize = Math.Max(sizes.Last(), minSize + 1);
        Point At(int size, double v) => new(
            area.X + (int)((size - minSize) / (double)(maxSize - minSize) * area.Width),
            area.Y + area.Height - (int)((v - low) / (high - low) * area.Height));

        Cv2.Rectangle(image, area, Scalar.Black, 1);
        Cv2.PutText(image, title, new Point(area.X, area.Y - 15), HersheyFonts.HersheySimplex, 0.65, Scalar.Black, 1, LineTypes.AntiAlias);
        foreach (var size in sizes)
        {
            var p = At(size, low);
            Cv2.Line(image, p, new Point(p.X, p.Y + 6), Scalar.Black, 1);
            Cv2.PutText(image, size.ToString(), new Point(p.X - 16, p.Y + 24), HersheyFonts.HersheySimplex, 0.45, Scalar.Black, 1, LineTypes.AntiAlias);
        }
        for (var k = 0; k <= 4; k++)
        {
            var v = low + (high - low) * k / 4;
            var p = At(minSize, v);
            Cv2.Line(image, new Point(p.X - 6, p.Y), p, Scalar.Black, 1);
            Cv2.PutText(image, v.ToString(Math.Abs(high) < 10 ? "0.00" : "0"), new Point(p.X - 62, p.Y + 5), HersheyFonts.HersheySimplex, 0.42, Scalar.Black, 1, LineTypes.AntiAlias);
        }
        for (var m = 0; m < models.Count; m++)
        {
            var points = results.Where(r => r.Label == models[m]).OrderBy(r => r.Size).Select(r => At(r.Size, value(r))).ToArray();
            for (var i = 1; i < points.Length; i++) Cv2.Line(image, points[i - 1], points[i], Colors[m % Colors.Length], 2, LineTypes.AntiAlias);
            foreach (var point in points) Cv2.Circle(image, point, 4, Colors[m % Colors.Length], -1, LineTypes.AntiAlias);
        }
    }
}

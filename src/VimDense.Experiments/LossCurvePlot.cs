using OpenCvSharp;

namespace VimDense.Experiments;

/// <summary>A plain line chart of (iteration, value) pairs as a PNG: axes, min/max labels, the curve.</summary>
internal static class LossCurvePlot
{
    public static void Write(string path, IReadOnlyList<(long Iteration, double Value)> points, string title)
    {
        const int width = 640, height = 400, left = 70, right = 20, top = 40, bottom = 50;
        using var image = new Mat(height, width, MatType.CV_8UC3, Scalar.White);
        Cv2.PutText(image, title, new Point(left, 25), HersheyFonts.HersheySimplex, 0.6, Scalar.Black, 1, LineTypes.AntiAlias);
        Cv2.Rectangle(image, new Point(left, top), new Point(width - right, height - bottom), Scalar.Gray);
        var finite = points.Where(p => double.IsFinite(p.Value)).ToList();
        if (finite.Count >= 2)
        {
            var (x0, x1) = (finite.Min(p => p.Iteration), finite.Max(p => p.Iteration));
            var (y0, y1) = (finite.Min(p => p.Value), finite.Max(p => p.Value));
            if (y1 - y0 < 1e-12) y1 = y0 + 1;
            Point Map((long X, double Y) p) => new(
                left + (int)((p.X - x0) / (double)Math.Max(x1 - x0, 1) * (width - left - right)),
                height - bottom - (int)((p.Y - y0) / (y1 - y0) * (height - top - bottom)));
            for (var i = 1; i < finite.Count; i++)
                Cv2.Line(image, Map(finite[i - 1]), Map(finite[i]), new Scalar(200, 80, 20), 2, LineTypes.AntiAlias);
            void Label(string text, Point at) => Cv2.PutText(image, text, at, HersheyFonts.HersheySimplex, 0.45, Scalar.Black, 1, LineTypes.AntiAlias);
            Label($"{y1:G4}", new Point(5, top + 5));
            Label($"{y0:G4}", new Point(5, height - bottom));
            Label($"{x0}", new Point(left, height - bottom + 20));
            Label($"iteration {x1}", new Point(width - right - 110, height - bottom + 20));
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        Cv2.ImWrite(path, image);
    }
}

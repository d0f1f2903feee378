using OpenCvSharp;

namespace VimDense.Datasets.Visual;

/// <summary>
/// Text on overlays that stays legible: small images are enlarged before drawing (the synthetic sets are 64–128
/// pixels, where any font covers the objects), the font grows with the picture, and labels sit on a filled box of
/// their class colour with black or white text, whichever reads better on it.
/// </summary>
internal static class OverlayText
{
    /// <summary>Overlays are drawn on pictures at least this many pixels on their shorter side.</summary>
    public const int MinShortSide = 384;

    public const HersheyFonts Font = HersheyFonts.HersheySimplex;

    /// <summary>The whole-number enlargement that brings the shorter side to <see cref="MinShortSide"/> (1 for large images).</summary>
    public static int UpscaleFactor(int rows, int cols) =>
        Math.Max(1, (int)Math.Ceiling(MinShortSide / (double)Math.Max(1, Math.Min(rows, cols))));

    /// <summary>The picture enlarged by <paramref name="factor"/> (nearest neighbour: label maps and masks keep their values); a copy when 1.</summary>
    public static Mat Enlarge(Mat picture, int factor)
    {
        if (factor == 1) return picture.Clone();
        var result = new Mat();
        Cv2.Resize(picture, result, new Size(picture.Cols * factor, picture.Rows * factor), 0, 0, InterpolationFlags.Nearest);
        return result;
    }

    /// <summary>Hershey font scale for a picture of this size: about 1/40 of the shorter side high, within 0.5–1.5.</summary>
    public static double FontScale(int rows, int cols) => Math.Clamp(Math.Min(rows, cols) / 640.0, 0.5, 1.5);

    public static int Thickness(double scale) => scale >= 1 ? 2 : 1;

    /// <summary>Black on light colours, white on dark ones (by luma).</summary>
    public static Scalar TextColour(Scalar bgr) => 0.114 * bgr.Val0 + 0.587 * bgr.Val1 + 0.299 * bgr.Val2 > 140 ? Scalar.Black : Scalar.White;

    /// <summary>The size of the filled box <see cref="Label"/> draws for <paramref name="text"/>.</summary>
    public static Size LabelSize(string text, double scale)
    {
        var size = Cv2.GetTextSize(text, Font, scale, Thickness(scale), out var baseline);
        var pad = Padding(scale);
        return new Size(size.Width + 2 * pad, size.Height + baseline + 2 * pad);
    }

    /// <summary>Draws <paramref name="text"/> on a box filled with <paramref name="background"/>, its top-left corner at
    /// <paramref name="topLeft"/> moved inside the picture; returns the box.</summary>
    public static Rect Label(Mat picture, string text, Point topLeft, Scalar background, double scale)
    {
        var size = LabelSize(text, scale);
        var x = Math.Clamp(topLeft.X, 0, Math.Max(0, picture.Cols - size.Width));
        var y = Math.Clamp(topLeft.Y, 0, Math.Max(0, picture.Rows - size.Height));
        var box = new Rect(x, y, Math.Min(size.Width, picture.Cols - x), Math.Min(size.Height, picture.Rows - y));
        Cv2.Rectangle(picture, box, background, -1);
        var pad = Padding(scale);
        var textHeight = Cv2.GetTextSize(text, Font, scale, Thickness(scale), out _).Height;
        Cv2.PutText(picture, text, new Point(x + pad, y + pad + textHeight), Font, scale, TextColour(background), Thickness(scale), LineTypes.AntiAlias);
        return box;
    }

    private static int Padding(double scale) => Math.Max(2, (int)Math.Round(4 * scale));
}

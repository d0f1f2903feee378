using OpenCvSharp;
using VimDense.Datasets.Ade20k;

namespace VimDense.Datasets.Visual;

/// <summary>Draws labels, boxes and masks over images for visual checks of the pipelines.</summary>
public static class OverlayRenderer
{
    /// <summary>BGR colour of train id <paramref name="classIndex"/> (the ADE20K palette, cycled).</summary>
    public static Scalar ClassColour(int classIndex)
    {
        var (r, g, b) = Ade20kClasses.Palette[((classIndex % Ade20kClasses.Count) + Ade20kClasses.Count) % Ade20kClasses.Count];
        return new Scalar(b, g, r);
    }

    /// <summary>BGR colour of train id <paramref name="classIndex"/>: <paramref name="palette"/>'s (R, G, B) when it has one, else <see cref="ClassColour"/>.</summary>
    public static Scalar ClassColour(int classIndex, IReadOnlyList<(byte R, byte G, byte B)>? palette) =>
        palette is not null && classIndex >= 0 && classIndex < palette.Count
            ? new Scalar(palette[classIndex].B, palette[classIndex].G, palette[classIndex].R)
            : ClassColour(classIndex);

    /// <summary>
    /// Side by side: the image, and the image blended 50/50 with the label colours (ignored pixels black).
    /// The label may be smaller or larger than the image (test pipelines); it is resized with nearest neighbour.
    /// <paramref name="palette"/> (R, G, B per train id, e.g. data.palette) replaces <see cref="ClassColour"/>.
    /// </summary>
    public static Mat Segmentation(Mat bgr, byte[] label, int labelHeight, int labelWidth, byte ignoreIndex = 255,
        IReadOnlyList<(byte R, byte G, byte B)>? palette = null)
    {
        using var blend = Blend(bgr, label, labelHeight, labelWidth, ignoreIndex, palette);
        var result = new Mat();
        Cv2.HConcat([bgr, blend], result);
        return result;
    }

    /// <summary>The image blended 50/50 with the label colours of <paramref name="label"/> (resized to the image, nearest neighbour).</summary>
    internal static unsafe Mat Blend(Mat bgr, byte[] label, int labelHeight, int labelWidth, byte ignoreIndex,
        IReadOnlyList<(byte R, byte G, byte B)>? palette)
    {
        using var colours = new Mat(labelHeight, labelWidth, MatType.CV_8UC3);
        var p = (byte*)colours.DataPointer;
        for (var i = 0; i < label.Length; i++)
        {
            var c = label[i] == ignoreIndex ? new Scalar(0, 0, 0) : ClassColour(label[i], palette);
            p[i * 3] = (byte)c.Val0;
            p[i * 3 + 1] = (byte)c.Val1;
            p[i * 3 + 2] = (byte)c.Val2;
        }
        using var resized = new Mat();
        Cv2.Resize(colours, resized, bgr.Size(), 0, 0, InterpolationFlags.Nearest);
        var blend = new Mat();
        Cv2.AddWeighted(bgr, 0.5, resized, 0.5, 0, blend);
        return blend;
    }

    /// <summary>The colour a detection overlay gives class <paramref name="classIndex"/> (palette entries spread apart, so neighbours differ).</summary>
    public static Scalar DetectionColour(int classIndex) => ClassColour(classIndex * 7 + 3);

    /// <summary>
    /// The image with each instance's polygons filled translucently and outlined, its box and a label "class" (or
    /// "class 0.87" with <paramref name="scores"/>) on a box of the class colour. Boxes are (x1, y1, x2, y2) in image
    /// pixels. Images under <see cref="OverlayText.MinShortSide"/> pixels are enlarged by a whole factor first (the
    /// result is that much larger) so that the labels are legible; the font grows with the image.
    /// </summary>
    public static Mat Detection(Mat bgr, IReadOnlyList<(float X1, float Y1, float X2, float Y2)> boxes, IReadOnlyList<int> classes,
        IReadOnlyList<IReadOnlyList<double[]>> polygons, IReadOnlyList<string> classNames, IReadOnlyList<Mat?>? bitmasks = null,
        IReadOnlyList<double>? scores = null)
    {
        var k = OverlayText.UpscaleFactor(bgr.Rows, bgr.Cols);
        var result = OverlayText.Enlarge(bgr, k);
        using var fill = result.Clone();
        for (var i = 0; i < boxes.Count; i++)
        {
            var colour = DetectionColour(classes[i]);
            var points = polygons[i].Select(poly => Enumerable.Range(0, poly.Length / 2)
                .Select(j => new Point((int)Math.Round(poly[2 * j] * k), (int)Math.Round(poly[2 * j + 1] * k))).ToArray()).ToArray();
            if (points.Length > 0) Cv2.FillPoly(fill, points, colour);
            if (bitmasks?[i] is { } mask)
            {
                using var large = OverlayText.Enlarge(mask, k);
                fill.SetTo(colour, large);
            }
        }
        Cv2.AddWeighted(result, 0.5, fill, 0.5, 0, result);
        var scale = OverlayText.FontScale(result.Rows, result.Cols);
        var line = Math.Max(1, (int)Math.Round(2 * scale));
        for (var i = 0; i < boxes.Count; i++)
        {
            var colour = DetectionColour(classes[i]);
            var (x1, y1, x2, y2) = boxes[i];
            var topLeft = new Point((int)(x1 * k), (int)(y1 * k));
            Cv2.Rectangle(result, topLeft, new Point((int)Math.Ceiling(x2 * k), (int)Math.Ceiling(y2 * k)), colour, line);
            var name = classes[i] >= 0 && classes[i] < classNames.Count ? classNames[classes[i]] : classes[i].ToString(System.Globalization.CultureInfo.InvariantCulture);
            var text = scores is null ? name : $"{name} {scores[i].ToString("F2", System.Globalization.CultureInfo.InvariantCulture)}";
            // Above the box when there is room, else just inside its top edge.
            var height = OverlayText.LabelSize(text, scale).Height;
            OverlayText.Label(result, text, new Point(topLeft.X, topLeft.Y >= height ? topLeft.Y - height : topLeft.Y), colour, scale);
        }
        return result;
    }
}

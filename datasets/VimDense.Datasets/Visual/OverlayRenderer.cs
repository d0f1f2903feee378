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

    /// <summary>
    /// Side by side: the image, and the image blended 50/50 with the label colours (ignored pixels black).
    /// The label may be smaller or larger than the image (test pipelines); it is resized with nearest neighbour.
    /// <paramref name="palette"/> (R, G, B per train id, e.g. data.palette) replaces <see cref="ClassColour"/>.
    /// </summary>
    public static unsafe Mat Segmentation(Mat bgr, byte[] label, int labelHeight, int labelWidth, byte ignoreIndex = 255,
        IReadOnlyList<(byte R, byte G, byte B)>? palette = null)
    {
        using var colours = new Mat(labelHeight, labelWidth, MatType.CV_8UC3);
        var p = (byte*)colours.DataPointer;
        for (var i = 0; i < label.Length; i++)
        {
            var c = label[i] == ignoreIndex ? new Scalar(0, 0, 0)
                : palette is not null && label[i] < palette.Count ? new Scalar(palette[label[i]].B, palette[label[i]].G, palette[label[i]].R)
                : ClassColour(label[i]);
            p[i * 3] = (byte)c.Val0;
            p[i * 3 + 1] = (byte)c.Val1;
            p[i * 3 + 2] = (byte)c.Val2;
        }
        using var resized = new Mat();
        Cv2.Resize(colours, resized, bgr.Size(), 0, 0, InterpolationFlags.Nearest);
        using var blend = new Mat();
        Cv2.AddWeighted(bgr, 0.5, resized, 0.5, 0, blend);
        var result = new Mat();
        Cv2.HConcat([bgr, blend], result);
        return result;
    }

    /// <summary>
    /// The image with each instance's polygons filled translucently and outlined, its box and class name.
    /// Boxes are (x1, y1, x2, y2) in image pixels.
    /// </summary>
    public static Mat Detection(Mat bgr, IReadOnlyList<(float X1, float Y1, float X2, float Y2)> boxes, IReadOnlyList<int> classes,
        IReadOnlyList<IReadOnlyList<double[]>> polygons, IReadOnlyList<string> classNames, IReadOnlyList<Mat?>? bitmasks = null)
    {
        var result = bgr.Clone();
        using var fill = bgr.Clone();
        for (var i = 0; i < boxes.Count; i++)
        {
            var colour = ClassColour(classes[i] * 7 + 3);
            var points = polygons[i].Select(poly => Enumerable.Range(0, poly.Length / 2)
                .Select(j => new Point((int)Math.Round(poly[2 * j]), (int)Math.Round(poly[2 * j + 1]))).ToArray()).ToArray();
            if (points.Length > 0) Cv2.FillPoly(fill, points, colour);
            if (bitmasks?[i] is { } mask) fill.SetTo(colour, mask);
        }
        Cv2.AddWeighted(result, 0.5, fill, 0.5, 0, result);
        for (var i = 0; i < boxes.Count; i++)
        {
            var colour = ClassColour(classes[i] * 7 + 3);
            var (x1, y1, x2, y2) = boxes[i];
            Cv2.Rectangle(result, new Point((int)x1, (int)y1), new Point((int)Math.Ceiling(x2), (int)Math.Ceiling(y2)), colour, 1);
            var name = classes[i] < classNames.Count ? classNames[classes[i]] : classes[i].ToString();
            Cv2.PutText(result, name, new Point((int)x1 + 1, Math.Max(8, (int)y1 + 9)), HersheyFonts.HersheySimplex, 0.3, Scalar.White, 1);
        }
        return result;
    }
}

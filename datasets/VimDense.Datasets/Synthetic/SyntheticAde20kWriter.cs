using Newtonsoft.Json.Linq;
using OpenCvSharp;
using VimDense.Datasets.Ade20k;

namespace VimDense.Datasets.Synthetic;

/// <summary>
/// Writes an ADEChallengeData2016-shaped folder of procedurally drawn scenes: a background class plus several
/// overlapping rectangles, ellipses and polygons of other classes, each class with its own colour and texture
/// (<see cref="SyntheticStyle"/>), a few unlabelled (value 0) strips, and mild noise. Annotation values are
/// ADE-style (0 = other, k = class k−1). Also writes <c>synthetic.json</c> with the class names.
/// </summary>
public static class SyntheticAde20kWriter
{
    public static void Write(string root, SyntheticOptions options)
    {
        if (options.Classes < 2 || options.Classes > Ade20kClasses.Count)
            throw new ArgumentException($"--classes must be in [2, {Ade20kClasses.Count}] (got {options.Classes})");
        if (options.Size < 16) throw new ArgumentException($"--size must be >= 16 (got {options.Size})");
        if (options.Images < 1) throw new ArgumentException($"--images must be >= 1 (got {options.Images})");
        SyntheticFolder.Claim(root);
        WriteSplit(root, "training", "ADE_train", options.Images, options, seedOffset: 0);
        WriteSplit(root, "validation", "ADE_val", options.ValidationImages, options, seedOffset: 1_000_003);
        var info = new JObject
        {
            ["kind"] = "ade20k",
            ["num_classes"] = options.Classes,
            ["classes"] = new JArray(Ade20kClasses.Names.Take(options.Classes)),
            ["training_images"] = options.Images,
            ["validation_images"] = options.ValidationImages,
            ["seed"] = options.Seed,
        };
        SyntheticFolder.Complete(root, info.ToString());
    }

    private static void WriteSplit(string root, string split, string prefix, int count, SyntheticOptions options, int seedOffset)
    {
        var imageDir = Directory.CreateDirectory(Path.Combine(root, "images", split)).FullName;
        var labelDir = Directory.CreateDirectory(Path.Combine(root, "annotations", split)).FullName;
        for (var i = 0; i < count; i++)
        {
            var rng = new Random(options.Seed * 7919 + seedOffset + i);
            var name = $"{prefix}_{i + 1:D8}";
            var (image, label) = Draw(rng, options);
            using (image)
            using (label)
            {
                Cv2.ImWrite(Path.Combine(imageDir, name + ".jpg"), image, new ImageEncodingParam(ImwriteFlags.JpegQuality, 95));
                Cv2.ImWrite(Path.Combine(labelDir, name + ".png"), label);
            }
        }
    }

    /// <summary>Draws one scene: BGR image and ADE-encoded label map.</summary>
    public static (Mat Image, Mat Label) Draw(Random rng, SyntheticOptions options)
    {
        var s = options.Size;
        var (w, h) = (s + rng.Next(s / 2 + 1), s * 3 / 4 + rng.Next(s / 2 + 1));
        var label = new Mat(h, w, MatType.CV_8UC1, Scalar.All(1 + rng.Next(options.Classes)));
        var shapes = 3 + rng.Next(4);
        for (var k = 0; k < shapes; k++)
        {
            var value = Scalar.All(1 + rng.Next(options.Classes));
            var (cx, cy) = (rng.Next(w), rng.Next(h));
            var (rx, ry) = (s / 8 + rng.Next(s / 3), s / 8 + rng.Next(s / 3));
            switch (rng.Next(3))
            {
                case 0:
                    Cv2.Rectangle(label, new Rect(cx - rx, cy - ry, 2 * rx, 2 * ry), value, -1, LineTypes.Link8);
                    break;
                case 1:
                    Cv2.Ellipse(label, new Point(cx, cy), new Size(rx, ry), rng.Next(180), 0, 360, value, -1, LineTypes.Link8);
                    break;
                default:
                    var points = Enumerable.Range(0, 3 + rng.Next(3)).Select(j =>
                    {
                        var angle = 2 * Math.PI * j / 5 + rng.NextDouble();
                        return new Point(cx + (int)(rx * Math.Cos(angle)), cy + (int)(ry * Math.Sin(angle)));
                    }).ToArray();
                    Cv2.FillPoly(label, [points], value, LineTypes.Link8);
                    break;
            }
        }
        if (rng.Next(3) == 0)
        {
            // An unlabelled ("other objects") strip, ignored after reduce_zero_label.
            var y0 = rng.Next(h);
            Cv2.Rectangle(label, new Rect(0, y0, w, Math.Max(2, h / 16)), Scalar.All(0), -1, LineTypes.Link8);
        }
        return (Paint(label, rng), label);
    }

    private static unsafe Mat Paint(Mat label, Random rng)
    {
        var (h, w) = (label.Rows, label.Cols);
        var image = new Mat(h, w, MatType.CV_8UC3);
        var dst = (byte*)image.DataPointer;
        var src = (byte*)label.DataPointer;
        for (var y = 0; y < h; y++)
        for (var x = 0; x < w; x++)
        {
            var value = src[y * w + x];
            var p = dst + ((long)y * w + x) * 3;
            var noise = rng.Next(-10, 11);
            if (value == 0)
            {
                var grey = (byte)(90 + rng.Next(60));
                p[0] = p[1] = p[2] = grey;
                continue;
            }
            var c = value - 1;
            var (b, g, r) = SyntheticStyle.Colour(c);
            var shade = 1.0 + 0.25 * SyntheticStyle.Texture(c, x, y);
            p[0] = (byte)Math.Clamp(b * shade + noise, 0, 255);
            p[1] = (byte)Math.Clamp(g * shade + noise, 0, 255);
            p[2] = (byte)Math.Clamp(r * shade + noise, 0, 255);
        }
        return image;
    }
}

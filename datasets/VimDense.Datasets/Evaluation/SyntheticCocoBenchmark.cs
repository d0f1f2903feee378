using Newtonsoft.Json;

namespace VimDense.Datasets.Evaluation;

/// <summary>
/// Writes a synthetic COCO-sized evaluation problem: an instances file (boxes of all sizes, octagon polygons,
/// about 1% crowd regions, COCO-like gaps in category ids) and a bbox results file with exactly
/// <c>detsPerImage</c> detections per image (jittered copies of the ground truth, some with a wrong category,
/// plus random false positives; scores rounded to 3 decimals so ties occur). Deterministic for a seed.
/// </summary>
public static class SyntheticCocoBenchmark
{
    public static (string GroundTruth, string Results) Write(string folder, int images = 5000, int detsPerImage = 100, int categories = 80, int seed = 0)
    {
        if (images <= 0 || detsPerImage < 0 || categories <= 0)
            throw new ArgumentException($"need positive image and category counts and non-negative detections, got {images}, {categories}, {detsPerImage}");
        Directory.CreateDirectory(folder);
        var gtPath = Path.Combine(folder, "instances_synthetic.json");
        var dtPath = Path.Combine(folder, "results_synthetic_bbox.json");
        var random = new Random(seed);
        var categoryIds = Enumerable.Range(0, categories).Select(k => (long)(k + 1 + k / 10)).ToArray();
        var sizes = new (int H, int W)[images];
        var boxes = new List<(long ImageId, long Category, double[] Box, bool Crowd)>[images];

        using (var gt = NewWriter(gtPath))
        {
            gt.WriteStartObject();
            gt.WritePropertyName("images");
            gt.WriteStartArray();
            for (var i = 0; i < images; i++)
            {
                sizes[i] = (random.Next(360, 641), 640);
                gt.WriteStartObject();
                Property(gt, "id", i + 1);
                Property(gt, "height", sizes[i].H);
                Property(gt, "width", sizes[i].W);
                Property(gt, "file_name", $"{i + 1:D12}.jpg");
                gt.WriteEndObject();
            }
            gt.WriteEndArray();
            gt.WritePropertyName("annotations");
            gt.WriteStartArray();
            long annotationId = 1;
            for (var i = 0; i < images; i++)
            {
                boxes[i] = [];
                var count = 1 + random.Next(0, 14);
                for (var n = 0; n < count; n++)
                {
                    var crowd = random.NextDouble() < 0.01;
                    var box = RandomBox(random, sizes[i].H, sizes[i].W, crowd ? 0.1 : 0.0005);
                    var category = categoryIds[(int)(categories * Math.Pow(random.NextDouble(), 2))];
                    boxes[i].Add((i + 1, category, box, crowd));
                    var polygon = Octagon(box);
                    gt.WriteStartObject();
                    Property(gt, "id", annotationId++);
                    Property(gt, "image_id", i + 1);
                    Property(gt, "category_id", category);
                    Property(gt, "iscrowd", crowd ? 1 : 0);
                    Property(gt, "area", Math.Round(box[2] * box[3] * 7 / 8, 2)); // the octagon's area
                    gt.WritePropertyName("bbox");
                    Numbers(gt, box);
                    gt.WritePropertyName("segmentation");
                    gt.WriteStartArray();
                    Numbers(gt, polygon);
                    gt.WriteEndArray();
                    gt.WriteEndObject();
                }
            }
            gt.WriteEndArray();
            gt.WritePropertyName("categories");
            gt.WriteStartArray();
            foreach (var id in categoryIds)
            {
                gt.WriteStartObject();
                Property(gt, "id", id);
                Property(gt, "name", $"category{id}");
                gt.WriteEndObject();
            }
            gt.WriteEndArray();
            gt.WriteEndObject();
        }

        using (var dt = NewWriter(dtPath))
        {
            dt.WriteStartArray();
            for (var i = 0; i < images; i++)
            {
                var written = 0;
                foreach (var (imageId, category, box, crowd) in boxes[i])
                {
                    for (var copy = random.Next(1, 4); copy > 0 && written < detsPerImage; copy--, written++)
                    {
                        var jittered = Jitter(random, box, sizes[i].H, sizes[i].W);
                        var label = random.NextDouble() < 0.9 ? category : categoryIds[random.Next(categories)];
                        Detection(dt, imageId, label, jittered, Math.Round(0.3 + 0.7 * random.NextDouble(), 3));
                    }
                }
                for (; written < detsPerImage; written++)
                    Detection(dt, i + 1, categoryIds[(int)(categories * Math.Pow(random.NextDouble(), 2))],
                        RandomBox(random, sizes[i].H, sizes[i].W, 0.0005), Math.Round(Math.Pow(random.NextDouble(), 2) * 0.6, 3));
            }
            dt.WriteEndArray();
        }
        return (gtPath, dtPath);
    }

    /// <summary>A box with log-uniform area (from 8x8 to half the image, or at least minFraction of it) and aspect 1:3..3:1.</summary>
    private static double[] RandomBox(Random random, int h, int w, double minFraction)
    {
        var minArea = Math.Max(64, minFraction * h * w);
        var area = Math.Exp(Math.Log(minArea) + random.NextDouble() * (Math.Log(0.5 * h * w) - Math.Log(minArea)));
        var aspect = Math.Exp((random.NextDouble() * 2 - 1) * Math.Log(3));
        var bw = Math.Min(w - 1, Math.Sqrt(area * aspect));
        var bh = Math.Min(h - 1, Math.Sqrt(area / aspect));
        var x = random.NextDouble() * (w - bw);
        var y = random.NextDouble() * (h - bh);
        return [Math.Round(x, 2), Math.Round(y, 2), Math.Round(bw, 2), Math.Round(bh, 2)];
    }

    private static double[] Jitter(Random random, double[] box, int h, int w)
    {
        double Noise(double scale) => scale * 0.12 * (random.NextDouble() + random.NextDouble() + random.NextDouble() - 1.5);
        var x0 = Math.Clamp(box[0] + Noise(box[2]), 0, w - 1);
        var y0 = Math.Clamp(box[1] + Noise(box[3]), 0, h - 1);
        var x1 = Math.Clamp(box[0] + box[2] + Noise(box[2]), x0 + 1, w);
        var y1 = Math.Clamp(box[1] + box[3] + Noise(box[3]), y0 + 1, h);
        return [Math.Round(x0, 2), Math.Round(y0, 2), Math.Round(x1 - x0, 2), Math.Round(y1 - y0, 2)];
    }

    /// <summary>The box with its corners cut at a quarter of each side (area 7/8 of the box).</summary>
    private static double[] Octagon(double[] b)
    {
        double x0 = b[0], y0 = b[1], x1 = b[0] + b[2], y1 = b[1] + b[3], cx = b[2] / 4, cy = b[3] / 4;
        return new[] { x0 + cx, y0, x1 - cx, y0, x1, y0 + cy, x1, y1 - cy, x1 - cx, y1, x0 + cx, y1, x0, y1 - cy, x0, y0 + cy }
            .Select(v => Math.Round(v, 2)).ToArray();
    }

    private static void Detection(JsonTextWriter dt, long imageId, long category, double[] box, double score)
    {
        dt.WriteStartObject();
        Property(dt, "image_id", imageId);
        Property(dt, "category_id", category);
        dt.WritePropertyName("bbox");
        Numbers(dt, box);
        Property(dt, "score", score);
        dt.WriteEndObject();
    }

    private static JsonTextWriter NewWriter(string path) =>
        new(new StreamWriter(path, false, new System.Text.UTF8Encoding(false), 1 << 16)) { Formatting = Formatting.None };

    private static void Property(JsonTextWriter w, string name, object value)
    {
        w.WritePropertyName(name);
        w.WriteValue(value);
    }

    private static void Numbers(JsonTextWriter w, double[] values)
    {
        w.WriteStartArray();
        foreach (var v in values) w.WriteValue(v);
        w.WriteEndArray();
    }
}

using Newtonsoft.Json.Linq;
using OpenCvSharp;
using VimDense.Datasets.Coco;
using VimDense.Datasets.Masks;

namespace VimDense.Datasets.Synthetic;

/// <summary>
/// Writes a COCO-shaped folder (<c>annotations/instances_{train,val}2017.json</c>, <c>{train,val}2017/*.jpg</c>)
/// of procedurally drawn objects: rotated boxes, triangles and ellipse polygons of the first K COCO categories
/// (real, non-contiguous ids), overlapping, each class with its own colour and texture; some images carry a
/// crowd region (uncompressed RLE), some objects are annotated with a compressed RLE instead of polygons,
/// and about one image in eight is empty. Image ids are non-contiguous too.
/// </summary>
public static class SyntheticCocoWriter
{
    public static void Write(string root, SyntheticOptions options)
    {
        if (options.Classes < 1 || options.Classes > CocoClasses.Categories.Count)
            throw new ArgumentException($"--classes must be in [1, {CocoClasses.Categories.Count}] (got {options.Classes})");
        if (options.Size < 16) throw new ArgumentException($"--size must be >= 16 (got {options.Size})");
        if (options.Images < 1) throw new ArgumentException($"--images must be >= 1 (got {options.Images})");
        SyntheticFolder.Claim(root);
        Directory.CreateDirectory(Path.Combine(root, "annotations"));
        WriteSplit(root, "train2017", options.Images, options, 0);
        WriteSplit(root, "val2017", options.ValidationImages, options, 500_009);
        var info = new JObject
        {
            ["kind"] = "coco",
            ["num_classes"] = options.Classes,
            ["classes"] = new JArray(CocoClasses.Categories.Take(options.Classes).Select(c => c.Name)),
            ["seed"] = options.Seed,
        };
        SyntheticFolder.Complete(root, info.ToString());
    }

    private static void WriteSplit(string root, string split, int count, SyntheticOptions options, int seedOffset)
    {
        var imageDir = Directory.CreateDirectory(Path.Combine(root, split)).FullName;
        var images = new JArray();
        var annotations = new JArray();
        long annotationId = 1;
        for (var i = 0; i < count; i++)
        {
            var rng = new Random(options.Seed * 7919 + seedOffset + i);
            var imageId = 1000 + 7L * i;
            var fileName = $"{imageId:D12}.jpg";
            var s = options.Size;
            var (w, h) = (s + rng.Next(s / 2 + 1), s * 3 / 4 + rng.Next(s / 2 + 1));
            using var classMap = new Mat(h, w, MatType.CV_16SC1, Scalar.All(-1));
            var empty = i % 8 == 5;
            var objects = empty ? 0 : 1 + rng.Next(5);
            for (var k = 0; k < objects; k++)
            {
                var category = rng.Next(options.Classes);
                var polygon = RandomPolygon(rng, w, h, s);
                Cv2.FillPoly(classMap, [polygon.Select(p => new Point((int)Math.Round(p.X), (int)Math.Round(p.Y))).ToArray()],
                    Scalar.All(category), LineTypes.Link8);
                var flat = polygon.SelectMany(p => new[] { Math.Round(p.X, 2), Math.Round(p.Y, 2) }).ToArray();
                var rle = RleCodec.FromPolygons([flat], h, w);
                if (rle.Area == 0) continue;
                var asRle = rng.Next(10) == 0;
                annotations.Add(Annotation(annotationId++, imageId, CocoClasses.Categories[category].Id, rle, crowd: false,
                    asRle ? CompressedRle(rle) : PolygonList(flat)));
            }
            if (!empty && rng.Next(4) == 0)
            {
                // A crowd region: an ellipse blob stored as uncompressed RLE, as COCO does for crowds.
                using var blob = new Mat(h, w, MatType.CV_8UC1, Scalar.All(0));
                Cv2.Ellipse(blob, new Point(rng.Next(w), rng.Next(h)), new Size(s / 6 + rng.Next(s / 6), s / 8 + rng.Next(s / 8)),
                    rng.Next(180), 0, 360, Scalar.All(1), -1, LineTypes.Link8);
                var category = rng.Next(options.Classes);
                classMap.SetTo(Scalar.All(category), blob);
                var mask = new byte[h * w];
                System.Runtime.InteropServices.Marshal.Copy(blob.Data, mask, 0, mask.Length);
                var rle = RleCodec.Encode(mask, h, w);
                if (rle.Area > 0)
                    annotations.Add(Annotation(annotationId++, imageId, CocoClasses.Categories[category].Id, rle, crowd: true,
                        new JObject { ["size"] = new JArray(h, w), ["counts"] = new JArray(rle.Counts.Select(c => (long)c)) }));
            }
            using var image = Paint(classMap, rng);
            Cv2.ImWrite(Path.Combine(imageDir, fileName), image, new ImageEncodingParam(ImwriteFlags.JpegQuality, 95));
            images.Add(new JObject { ["id"] = imageId, ["file_name"] = fileName, ["height"] = h, ["width"] = w });
        }
        var categories = new JArray(CocoClasses.Categories.Take(options.Classes)
            .Select(c => new JObject { ["id"] = c.Id, ["name"] = c.Name, ["supercategory"] = "synthetic" }));
        var json = new JObject
        {
            ["info"] = new JObject { ["description"] = "VimDense synthetic COCO-shaped data" },
            ["images"] = images,
            ["annotations"] = annotations,
            ["categories"] = categories,
        };
        File.WriteAllText(Path.Combine(root, "annotations", $"instances_{split}.json"), json.ToString(Newtonsoft.Json.Formatting.None));
    }

    private static JObject Annotation(long id, long imageId, int categoryId, Rle rle, bool crowd, JToken segmentation)
    {
        var box = RleCodec.ToBox(rle);
        return new JObject
        {
            ["id"] = id, ["image_id"] = imageId, ["category_id"] = categoryId, ["iscrowd"] = crowd ? 1 : 0,
            ["area"] = rle.Area, ["bbox"] = new JArray(box.Select(v => (object)v).ToArray()), ["segmentation"] = segmentation,
        };
    }

    /// <summary>[[x0, y0, ...]] (new JArray(JArray) would splice the inner items instead of nesting them).</summary>
    private static JArray PolygonList(double[] flat)
    {
        var list = new JArray();
        list.Add(new JArray(flat.Select(v => (object)v).ToArray()));
        return list;
    }

    private static JObject CompressedRle(Rle rle) =>
        new() { ["size"] = new JArray(rle.Height, rle.Width), ["counts"] = RleCodec.ToCompressedString(rle) };

    private static List<(double X, double Y)> RandomPolygon(Random rng, int w, int h, int s)
    {
        var (cx, cy) = (rng.NextDouble() * w, rng.NextDouble() * h);
        var (rx, ry) = (s / 10.0 + rng.NextDouble() * s / 4, s / 10.0 + rng.NextDouble() * s / 4);
        var rotation = rng.NextDouble() * Math.PI;
        var corners = rng.Next(3) switch { 0 => 4, 1 => 3, _ => 16 };
        var points = new List<(double X, double Y)>();
        for (var j = 0; j < corners; j++)
        {
            var a = 2 * Math.PI * j / corners + (corners == 4 ? Math.PI / 4 : 0);
            var (px, py) = (rx * Math.Cos(a), ry * Math.Sin(a));
            var x = cx + px * Math.Cos(rotation) - py * Math.Sin(rotation);
            var y = cy + px * Math.Sin(rotation) + py * Math.Cos(rotation);
            points.Add((Math.Clamp(x, 0, w - 1), Math.Clamp(y, 0, h - 1)));
        }
        return points;
    }

    private static unsafe Mat Paint(Mat classMap, Random rng)
    {
        var (h, w) = (classMap.Rows, classMap.Cols);
        var image = new Mat(h, w, MatType.CV_8UC3);
        var dst = (byte*)image.DataPointer;
        var src = (short*)classMap.DataPointer;
        for (var y = 0; y < h; y++)
        for (var x = 0; x < w; x++)
        {
            var p = dst + ((long)y * w + x) * 3;
            var c = src[y * w + x];
            var noise = rng.Next(-8, 9);
            if (c < 0)
            {
                var grey = (byte)Math.Clamp(70 + 60 * y / h + noise, 0, 255);
                p[0] = p[1] = p[2] = grey;
                continue;
            }
            var (b, g, r) = SyntheticStyle.Colour(c);
            var shade = 1.0 + 0.25 * SyntheticStyle.Texture(c, x, y);
            p[0] = (byte)Math.Clamp(b * shade + noise, 0, 255);
            p[1] = (byte)Math.Clamp(g * shade + noise, 0, 255);
            p[2] = (byte)Math.Clamp(r * shade + noise, 0, 255);
        }
        return image;
    }
}

using OpenCvSharp;
using VimDense.Datasets.Coco;
using VimDense.Datasets.Loading;
using VimDense.Datasets.Masks;
using VimDense.Datasets.Transforms;
using VimDense.Structures;

namespace VimDense.Tests.Datasets;

public class PropertyTests
{
    private static double[] RandomPolygon(Random rng, int w, int h)
    {
        var n = 3 + rng.Next(6);
        var (cx, cy, r) = (rng.NextDouble() * w, rng.NextDouble() * h, 3 + rng.NextDouble() * w / 3);
        var result = new double[2 * n];
        for (var j = 0; j < n; j++)
        {
            var a = 2 * Math.PI * j / n;
            var rr = r * (0.5 + rng.NextDouble() / 2);
            (result[2 * j], result[2 * j + 1]) = (Math.Clamp(cx + rr * Math.Cos(a), 0, w), Math.Clamp(cy + rr * Math.Sin(a), 0, h));
        }
        return result;
    }

    [Fact]
    public void LsjMasksStayInsideTheirBoxesAndTheImage()
    {
        var options = new DetectionPipelineOptions { ImageSize = (48, 48) };
        var pipeline = new LsjTrainPipeline(options);
        using var image = new Mat(40, 60, MatType.CV_8UC3, Scalar.All(90));
        for (var seed = 0; seed < 60; seed++)
        {
            var rng = new Random(seed);
            var instances = Enumerable.Range(0, 4).Select(k =>
            {
                var polygon = RandomPolygon(rng, 60, 40);
                var xs = polygon.Where((_, i) => i % 2 == 0).ToArray();
                var ys = polygon.Where((_, i) => i % 2 == 1).ToArray();
                return new Instance(xs.Min(), ys.Min(), xs.Max(), ys.Max(), k, [polygon]);
            }).ToList();
            var sample = pipeline.Apply(image, instances, new CocoImage(1, 40, 60, "x.jpg"), new Random(seed + 1000));
            foreach (var inst in sample.Instances)
            {
                Assert.True(inst.BoxWidth > 0 && inst.BoxHeight > 0);
                foreach (var p in inst.Polygons)
                for (var i = 0; i < p.Length; i += 2)
                {
                    Assert.InRange(p[i], inst.X1 - 1e-9, inst.X2 + 1e-9);
                    Assert.InRange(p[i + 1], inst.Y1 - 1e-9, inst.Y2 + 1e-9);
                    Assert.InRange(p[i], -1e-9, 48 + 1e-9);
                    Assert.InRange(p[i + 1], -1e-9, 48 + 1e-9);
                }
                // Rasterised mask pixels lie within the box (pixel (x,y) covers [x, x+1)).
                var mask = RleCodec.Decode(RleCodec.FromPolygons(inst.Polygons, sample.Height, sample.Width));
                for (var k = 0; k < mask.Length; k++)
                {
                    if (mask[k] == 0) continue;
                    var (y, x) = (k / sample.Width, k % sample.Width);
                    Assert.True(x + 0.5 >= inst.X1 && x + 0.5 <= inst.X2 && y + 0.5 >= inst.Y1 && y + 0.5 <= inst.Y2,
                        $"seed {seed}: mask pixel ({x},{y}) outside box ({inst.X1},{inst.Y1},{inst.X2},{inst.Y2})");
                }
            }
        }
    }

    [Fact]
    public void FlippingTwiceIsTheIdentity()
    {
        var rng = new Random(3);
        var instances = Enumerable.Range(0, 5).Select(k =>
            new Instance(rng.Next(20), rng.Next(20), 20 + rng.Next(20), 20 + rng.Next(20), k, [RandomPolygon(rng, 50, 30)],
                Bitmask: Enumerable.Range(0, 50 * 30).Select(_ => (byte)rng.Next(2)).ToArray())).ToList();
        var twice = InstanceGeometry.FlipHorizontal(InstanceGeometry.FlipHorizontal(instances, 50, 30), 50, 30);
        for (var i = 0; i < instances.Count; i++)
        {
            Assert.Equal(instances[i].X1, twice[i].X1, 9);
            Assert.Equal(instances[i].X2, twice[i].X2, 9);
            Assert.Equal(instances[i].Polygons[0].Length, twice[i].Polygons[0].Length);
            for (var k = 0; k < instances[i].Polygons[0].Length; k++) Assert.Equal(instances[i].Polygons[0][k], twice[i].Polygons[0][k], 9);
            Assert.Equal(instances[i].Bitmask, twice[i].Bitmask);
        }
        using var image = new Mat(30, 50, MatType.CV_8UC3);
        Cv2.Randu(image, Scalar.All(0), Scalar.All(255));
        using var flipped = new Mat();
        Cv2.Flip(image, flipped, FlipMode.Y);
        Cv2.Flip(flipped, flipped, FlipMode.Y);
        Assert.Equal(0, Cv2.Norm(image, flipped, NormTypes.L1));
    }

    [Fact]
    public void SegmentationTrainSamplesAlwaysHaveTheCropSizeAndValidLabels()
    {
        var options = new SegmentationPipelineOptions { Scale = (64, 16), CropSize = (16, 16) };
        var pipeline = new SegmentationTrainPipeline(options);
        using var image = new Mat(30, 45, MatType.CV_8UC3);
        Cv2.Randu(image, Scalar.All(0), Scalar.All(255));
        using var label = new Mat(30, 45, MatType.CV_8UC1);
        Cv2.Randu(label, Scalar.All(0), Scalar.All(4));
        for (var seed = 0; seed < 30; seed++)
        {
            var sample = pipeline.Apply(image, label, "x", new Random(seed));
            Assert.Equal((16, 16, 16, 16), (sample.Height, sample.Width, sample.LabelHeight, sample.LabelWidth));
            Assert.All(sample.Label, v => Assert.True(v < 4 || v == 255));
            Assert.Equal(3 * 16 * 16, sample.Image.Length);
        }
    }
}

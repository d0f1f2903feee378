using Newtonsoft.Json.Linq;
using VimDense.Datasets.Evaluation;

namespace VimDense.Tests.Evaluation;

public class SegmentationMetricTests
{
    [Fact]
    public void FixtureMatchesMmsegToTheNinthDecimal()
    {
        var root = TestPaths.Fixture("miou", "miou_100");
        var expected = JObject.Parse(File.ReadAllText(Path.Combine(root, "expected.json")));
        var metric = new SegmentationMetric(150, 255, reduceZeroLabel: true);
        foreach (var gtFile in Directory.GetFiles(Path.Combine(root, "gt"), "*.png").Order())
        {
            var (label, h, w) = SegmentationPng.Read(gtFile);
            var (prediction, ph, pw) = SegmentationPng.Read(Path.Combine(root, "pred", Path.GetFileName(gtFile)));
            Assert.Equal((h, w), (ph, pw));
            metric.Add(prediction, label);
        }
        var result = metric.Compute();
        Assert.True(result.Images > 0);
        Assert.Equal((double)expected["aAcc"]!, result.AAcc, 9);
        Assert.Equal((double)expected["mIoU"]!, result.MIoU, 9);
        Assert.Equal((double)expected["mAcc"]!, result.MAcc, 9);
        AssertPerClass((JArray)expected["IoU"]!, result.IoU);
        AssertPerClass((JArray)expected["Acc"]!, result.Acc);
    }

    private static void AssertPerClass(JArray expected, IReadOnlyList<double> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var k = 0; k < actual.Count; k++)
        {
            if (expected[k].Type == JTokenType.Null) Assert.True(double.IsNaN(actual[k]), $"class {k}: expected NaN, got {actual[k]}");
            else Assert.True(Math.Abs((double)expected[k] - actual[k]) <= 1e-9, $"class {k}: expected {(double)expected[k]}, got {actual[k]}");
        }
    }

    [Fact]
    public void HandComputedAreasAndNanRules()
    {
        // 3 classes, no zero-label reduction, ignore 255. Pixels (pred, label):
        // (0,0) (0,0) (1,0) (1,1) (2,255) (2,1) (7,1): class 2 is predicted only on an ignored pixel; 7 is out of range.
        var metric = new SegmentationMetric(3);
        metric.Add(new byte[] { 0, 0, 1, 1, 2, 2, 7 }, new byte[] { 0, 0, 0, 1, 255, 1, 1 });
        var r = metric.Compute(["a", "b", "c"]);
        Assert.Equal(new long[] { 2, 1, 0 }, r.AreaIntersect);
        Assert.Equal(new long[] { 2, 2, 1 }, r.AreaPrediction);
        Assert.Equal(new long[] { 3, 3, 0 }, r.AreaLabel);
        Assert.Equal(new long[] { 3, 4, 1 }, r.AreaUnion);
        Assert.Equal(3.0 / 6.0 * 100, r.AAcc, 12);
        Assert.Equal(new[] { 2.0 / 3 * 100, 1.0 / 4 * 100, 0.0 }, r.IoU.ToArray(), new ToleranceComparer(1e-12));
        // Class c is absent from the gt but predicted: IoU 0 (counted), Acc NaN (left out of mAcc).
        Assert.True(double.IsNaN(r.Acc[2]));
        Assert.Equal((2.0 / 3 + 1.0 / 4 + 0) / 3 * 100, r.MIoU, 12);
        Assert.Equal((2.0 / 3 + 1.0 / 3) / 2 * 100, r.MAcc, 12);
        Assert.Contains("nan", r.FormatTable());
    }

    [Fact]
    public void ReduceZeroLabelMapsZeroToIgnoreAndShiftsTheRest()
    {
        var metric = new SegmentationMetric(2, 255, reduceZeroLabel: true);
        // labels 0 (ignored), 1 -> 0, 2 -> 1, 255 (stays ignored)
        metric.Add(new byte[] { 1, 0, 1, 0 }, new byte[] { 0, 1, 2, 255 });
        var r = metric.Compute();
        Assert.Equal(new long[] { 1, 1 }, r.AreaLabel);
        Assert.Equal(new long[] { 1, 1 }, r.AreaIntersect);
        Assert.Equal(100.0, r.MIoU, 12);
    }

    [Fact]
    public void StreamingInAnyOrderOrMergedGivesTheSameTotals()
    {
        var random = new Random(5);
        var images = Enumerable.Range(0, 20).Select(_ =>
            (Pred: Enumerable.Range(0, 64).Select(_ => (byte)random.Next(6)).ToArray(),
             Label: Enumerable.Range(0, 64).Select(_ => (byte)(random.Next(8) == 0 ? 255 : random.Next(5))).ToArray())).ToArray();
        var serial = new SegmentationMetric(5);
        foreach (var (p, l) in images) serial.Add(p, l);
        var parallel = new SegmentationMetric(5);
        Parallel.ForEach(images, im => parallel.Add(im.Pred, im.Label));
        var a = new SegmentationMetric(5);
        var b = new SegmentationMetric(5);
        for (var i = 0; i < images.Length; i++) (i % 2 == 0 ? a : b).Add(images[i].Pred, images[i].Label);
        a.Merge(b);
        foreach (var other in new[] { parallel.Compute(), a.Compute() })
        {
            Assert.Equal(serial.Compute().AreaIntersect, other.AreaIntersect);
            Assert.Equal(serial.Compute().AreaUnion, other.AreaUnion);
            Assert.Equal(serial.Compute().MIoU, other.MIoU);
        }
    }

    [Fact]
    public void PngRoundTripKeepsLabels()
    {
        var path = Path.Combine(TestPaths.NewTempDir(), "pred", "x.png");
        var labels = Enumerable.Range(0, 6 * 7).Select(i => i * 37 % 256).ToArray();
        SegmentationPng.Write(path, labels, 6, 7);
        var (pixels, h, w) = SegmentationPng.Read(path);
        Assert.Equal((6, 7), (h, w));
        Assert.Equal(labels.Select(v => (byte)v), pixels);
        Assert.Throws<ArgumentException>(() => SegmentationPng.Write(path, new[] { 300 }, 1, 1));
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(double obj) => 0;
    }
}

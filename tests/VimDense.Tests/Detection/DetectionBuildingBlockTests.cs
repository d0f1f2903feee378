using TorchSharp;
using VimDense.Heads.Detection;
using static TorchSharp.torch;

namespace VimDense.Tests.Detection;

/// <summary>Box coder, anchors, matcher and sampler on hand-made cases.</summary>
public class DetectionBuildingBlockTests
{
    [Theory]
    [InlineData(1, 1, 1, 1)]
    [InlineData(10, 10, 5, 5)]
    [InlineData(30, 30, 15, 15)]
    public void BoxCoderRoundTrips(double wx, double wy, double ww, double wh)
    {
        var coder = new Box2BoxTransform(wx, wy, ww, wh);
        var sources = tensor(new double[] { 0, 0, 10, 20, 5, 5, 6, 9, -3, 4, 40, 50 }).reshape(3, 4);
        var targets = tensor(new double[] { 2, -1, 14, 25, 0, 0, 30, 30, -1, 3, 39, 52 }).reshape(3, 4);
        var deltas = coder.GetDeltas(sources, targets);
        Assert.True(allclose(coder.ApplyDeltas(deltas, sources), targets, rtol: 1e-10, atol: 1e-10));
        // Hand-computed first row: centres (5, 10) -> (8, 12), sizes (10, 20) -> (12, 26).
        var expected = new[] { wx * 3 / 10, wy * 2 / 20, ww * Math.Log(1.2), wh * Math.Log(1.3) };
        var first = deltas[0].data<double>().ToArray();
        for (var i = 0; i < 4; i++) Assert.Equal(expected[i], first[i], 12);
    }

    [Fact]
    public void BoxCoderClampsScaleFromAboveOnlyAndHandlesClassSpecificDeltas()
    {
        var coder = new Box2BoxTransform(1, 1, 1, 1);
        var box = tensor(new float[] { 0, 0, 16, 16 }).reshape(1, 4);
        // Class 0: huge growth (clamped to 1000 / 16 -> width 1000); class 1: huge shrink (not clamped).
        var deltas = tensor(new float[] { 0, 0, 20, 20, 0, 0, -5, -5 }).reshape(1, 8);
        var decoded = coder.ApplyDeltas(deltas, box).data<float>().ToArray();
        Assert.Equal(1000f, decoded[2] - decoded[0], 2);
        Assert.Equal(16 * MathF.Exp(-5), decoded[6] - decoded[4], 5);
        Assert.Equal(8f, (decoded[4] + decoded[6]) / 2, 5);
    }

    [Fact]
    public void AnchorCountsAndShapesPerLevel()
    {
        var generator = AnchorGenerator.Default();
        var grids = new (long, long)[] { (32, 24), (16, 12), (8, 6), (4, 3), (2, 2) };
        var anchors = generator.Generate(grids);
        for (var level = 0; level < 5; level++)
        {
            Assert.Equal(3, generator.AnchorsPerLocation(level));
            Assert.Equal([grids[level].Item1 * grids[level].Item2 * 3, 4L], anchors[level].shape);
        }
        // P2, location (y 0, x 1) -> centre (4, 0); ratio 0.5 anchor: w = sqrt(1024 / 0.5), h = 0.5 w.
        var w = Math.Sqrt(1024 / 0.5);
        var a = anchors[0][3].data<float>().ToArray();
        Assert.Equal(new[] { 4 - w / 2, -w / 4, 4 + w / 2, w / 4 }, a.Select(v => (double)v), new ToleranceComparer(1e-4));
        // P6 square anchor at (y 1, x 0): centre (0, 64), size 512.
        var p6 = anchors[4][2 * 3 + 1].data<float>().ToArray();
        Assert.Equal(new double[] { -256, 64 - 256, 256, 64 + 256 }, p6.Select(v => (double)v), new ToleranceComparer(1e-4));
    }

    [Fact]
    public void MatcherLabelsByThresholdsAndAllowsLowQualityMatches()
    {
        // 2 ground truths x 5 predictions.
        var iou = tensor(new float[]
        {
            0.80f, 0.50f, 0.10f, 0.20f, 0.00f,
            0.10f, 0.60f, 0.25f, 0.25f, 0.69f,
        }).reshape(2, 5);
        var plain = new Matcher([0.3, 0.7], [0, -1, 1], allowLowQualityMatches: false);
        var (matches, labels) = plain.Match(iou);
        Assert.Equal(new long[] { 0, 1, 1, 1, 1 }, matches.data<long>().ToArray());
        Assert.Equal(new sbyte[] { 1, -1, 0, 0, -1 }, labels.data<sbyte>().ToArray());
        var lowQuality = new Matcher([0.3, 0.7], [0, -1, 1], allowLowQualityMatches: true);
        Assert.Equal(new sbyte[] { 1, -1, 0, 0, 1 }, lowQuality.Match(iou).Labels.data<sbyte>().ToArray());
        // No ground truth: everything gets the lowest interval's label.
        var (_, none) = lowQuality.Match(zeros(0, 3));
        Assert.Equal(new sbyte[] { 0, 0, 0 }, none.data<sbyte>().ToArray());
    }

    [Fact]
    public void MatcherLowQualityIncludesTies()
    {
        var iou = tensor(new float[] { 0.4f, 0.1f, 0.4f }).reshape(1, 3);
        var matcher = new Matcher([0.5], [0, 1], allowLowQualityMatches: true);
        Assert.Equal(new sbyte[] { 1, 0, 1 }, matcher.Match(iou).Labels.data<sbyte>().ToArray());
    }

    [Fact]
    public void SamplerRespectsFractionAndFillsWithNegatives()
    {
        // 3 positives (labels 2, 5, 7), 10 negatives (background 9), 4 ignored.
        var labels = tensor(new long[] { 2, 9, 9, -1, 5, 9, 9, 9, -1, 9, 9, 7, 9, 9, -1, 9, -1 });
        var generator = new Generator(7);
        var (pos, neg) = BalancedSampler.Sample(labels, 8, 0.25, backgroundLabel: 9, generator);
        Assert.Equal(2, pos.shape[0]);
        Assert.Equal(6, neg.shape[0]);
        Assert.All(pos.data<long>().ToArray(), i => Assert.Contains(i, new long[] { 0, 4, 11 }));
        Assert.All(neg.data<long>().ToArray(), i => Assert.Equal(9L, labels[i].item<long>()));
        Assert.Equal(6, neg.data<long>().ToArray().Distinct().Count());
        // Few negatives: all of them, and positives are not topped up beyond the fraction.
        var (pos2, neg2) = BalancedSampler.Sample(labels, 100, 0.5, backgroundLabel: 9, generator);
        Assert.Equal(3, pos2.shape[0]);
        Assert.Equal(10, neg2.shape[0]);
    }

    [Fact]
    public void PairwiseIouAndClip()
    {
        var a = tensor(new float[] { 0, 0, 10, 10, 5, 5, 5, 5 }).reshape(2, 4);
        var b = tensor(new float[] { 5, 0, 15, 10, 20, 20, 30, 30 }).reshape(2, 4);
        var iou = BoxOps.PairwiseIou(a, b).data<float>().ToArray();
        Assert.Equal(new[] { 50f / 150, 0, 0, 0 }, iou);
        var clipped = BoxOps.Clip(tensor(new float[] { -5, 3, 50, 70 }).reshape(1, 4), 40, 30).data<float>().ToArray();
        Assert.Equal(new float[] { 0, 3, 30, 40 }, clipped);
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(double obj) => 0;
    }
}

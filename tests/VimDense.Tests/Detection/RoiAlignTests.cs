using TorchSharp;
using VimDense.Ops;
using static TorchSharp.torch;

namespace VimDense.Tests.Detection;

/// <summary>Native RoIAlign against the TorchSharp reference, finite differences and bad inputs.</summary>
public class RoiAlignTests
{
    // Boxes inside, partly outside on every side, fully outside, degenerate (x2 < x1), tiny, and whole-image.
    private static Tensor Rois(int batch, int count, double extent, int seed, ScalarType dtype)
    {
        var rng = new Random(seed);
        var rows = new List<double[]>
        {
            new[] { 0, -7.5, -3.0, 12.0, 9.0 },
            new[] { batch - 1, extent - 6, extent - 10, extent + 15, extent + 4 },
            new[] { 0, extent + 30, extent + 40, extent + 60, extent + 70 },
            new[] { batch - 1, 8.0, 8.0, 2.0, 3.0 },
            new[] { 0, 5.2, 5.1, 5.4, 5.3 },
            new[] { 0, 0, 0, extent, extent },
        };
        for (var i = rows.Count; i < count; i++)
        {
            double x1 = rng.NextDouble() * extent * 1.1 - 4, y1 = rng.NextDouble() * extent * 1.1 - 4;
            rows.Add([rng.Next(batch), x1, y1, x1 + rng.NextDouble() * extent * 0.8, y1 + rng.NextDouble() * extent * 0.8]);
        }
        return tensor(rows.SelectMany(r => r).ToArray(), dtype).reshape(rows.Count, 5);
    }

    private static Tensor Features(long[] shape, int seed, ScalarType dtype)
    {
        var rng = new Random(seed);
        var values = new double[shape.Aggregate(1L, (a, b) => a * b)];
        for (var i = 0; i < values.Length; i++) values[i] = rng.NextDouble() * 2 - 1;
        return tensor(values, dtype).reshape(shape);
    }

    [Theory]
    [InlineData(7, 7, 0.25, 0, true)]
    [InlineData(14, 14, 0.5, 0, true)]
    [InlineData(3, 5, 1.0, 2, true)]
    [InlineData(4, 4, 0.125, 0, false)]
    [InlineData(2, 3, 0.5, 3, false)]
    public void ForwardMatchesReferenceInFloat64(int outH, int outW, double scale, int ratio, bool aligned)
    {
        var input = Features([2, 3, 11, 13], 1, ScalarType.Float64);
        var rois = Rois(2, 40, 12 / scale, 2, ScalarType.Float64);
        var actual = RoiAlign.Apply(input, rois, outH, outW, scale, ratio, aligned);
        var expected = RoiAlignReference.Apply(input, rois, outH, outW, scale, ratio, aligned);
        Assert.Equal(expected.shape, actual.shape);
        Assert.True(allclose(actual, expected, rtol: 1e-12, atol: 1e-12), $"max |diff| {(actual - expected).abs().max().item<double>()}");
    }

    [Fact]
    public void ForwardMatchesReferenceInFloat32()
    {
        var input = Features([2, 4, 20, 17], 3, ScalarType.Float32);
        var rois = Rois(2, 60, 80, 4, ScalarType.Float32);
        var actual = RoiAlign.Apply(input, rois, 7, 7, 0.25);
        var expected = RoiAlignReference.Apply(input.to(ScalarType.Float64), rois, 7, 7, 0.25, 0, true);
        Assert.Equal(ScalarType.Float32, actual.dtype);
        Assert.True(allclose(actual.to(ScalarType.Float64), expected, rtol: 1e-4, atol: 1e-5));
    }

    [Fact]
    public void FullyOutsideAndDegenerateRoisPoolToZero()
    {
        var input = Features([2, 3, 11, 13], 5, ScalarType.Float64);
        var rois = Rois(2, 6, 24, 6, ScalarType.Float64);
        var output = RoiAlign.Apply(input, rois, 7, 7, 0.5);
        Assert.Equal(0.0, output[2].abs().max().item<double>());
        Assert.Equal(0.0, output[3].abs().max().item<double>());
        Assert.True(output[0].abs().max().item<double>() > 0, "a partly-outside box still sees the image");
    }

    [Fact]
    public void EmptyRoisGiveEmptyOutputAndZeroGradient()
    {
        var input = Features([1, 3, 8, 8], 7, ScalarType.Float32).requires_grad_(true);
        var output = RoiAlign.Apply(input, zeros(0, 5), 7, 7, 0.25);
        Assert.Equal([0L, 3, 7, 7], output.shape);
        output.sum().backward();
        Assert.NotNull(input.grad);
        Assert.Equal(0.0f, input.grad!.abs().sum().item<float>());
    }

    [Fact]
    public void GradientMatchesReferenceAutograd()
    {
        var input = Features([2, 3, 11, 13], 8, ScalarType.Float64).requires_grad_(true);
        var rois = Rois(2, 30, 24, 9, ScalarType.Float64);
        var upstream = Features([30, 3, 5, 4], 10, ScalarType.Float64);
        (RoiAlign.Apply(input, rois, 5, 4, 0.5) * upstream).sum().backward();
        var native = input.grad!.clone();
        input.grad!.zero_();
        (RoiAlignReference.Apply(input, rois, 5, 4, 0.5, 0, true) * upstream).sum().backward();
        Assert.True(allclose(native, input.grad!, rtol: 1e-12, atol: 1e-12));
    }

    [Fact]
    public void GradientMatchesFiniteDifferences()
    {
        var input = Features([1, 2, 6, 7], 11, ScalarType.Float64);
        var rois = tensor(new[] { 0, -3.0, 1.5, 9.0, 10.0, 0, 4.2, 2.2, 12.6, 7.9, 0, 10.0, 10.0, 15.0, 15.0 }).reshape(3, 5);
        var upstream = Features([3, 2, 3, 3], 12, ScalarType.Float64);
        Func<Tensor, double> loss = x => (RoiAlign.Apply(x, rois, 3, 3, 0.5) * upstream).sum().item<double>();
        var leaf = input.clone().requires_grad_(true);
        (RoiAlign.Apply(leaf, rois, 3, 3, 0.5) * upstream).sum().backward();
        var analytic = leaf.grad!.data<double>().ToArray();
        const double h = 1e-6;
        var flat = input.reshape(-1);
        for (var i = 0; i < flat.shape[0]; i++)
        {
            var plus = flat.clone(); plus[i] += h;
            var minus = flat.clone(); minus[i] -= h;
            var numeric = (loss(plus.reshape(input.shape)) - loss(minus.reshape(input.shape))) / (2 * h);
            Assert.True(Math.Abs(numeric - analytic[i]) < 1e-7, $"element {i}: numeric {numeric}, analytic {analytic[i]}");
        }
    }

    [Fact]
    public void BadInputsNameTheArgument()
    {
        var input = zeros(1, 2, 8, 8);
        var rois = tensor(new float[] { 0, 1, 1, 4, 4 }).reshape(1, 5);
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => RoiAlign.Apply(zeros(2, 8, 8), rois, 7, 7, 1)).ParamName);
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => RoiAlign.Apply(zeros(new long[] { 1, 2, 8, 8 }, ScalarType.Int32), rois, 7, 7, 1)).ParamName);
        Assert.Equal("rois", Assert.Throws<ArgumentException>(() => RoiAlign.Apply(input, zeros(1, 4), 7, 7, 1)).ParamName);
        Assert.Equal("outH", Assert.Throws<ArgumentException>(() => RoiAlign.Apply(input, rois, 0, 7, 1)).ParamName);
        Assert.Equal("spatialScale", Assert.Throws<ArgumentException>(() => RoiAlign.Apply(input, rois, 7, 7, -1)).ParamName);
        var badBatch = tensor(new float[] { 3, 1, 1, 4, 4 }).reshape(1, 5);
        var error = Assert.Throws<ArgumentException>(() => RoiAlign.Apply(input, badBatch, 7, 7, 1));
        Assert.Contains("batch index", error.Message);
    }
}

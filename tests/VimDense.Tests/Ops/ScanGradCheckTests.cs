using static TorchSharp.torch;
using VimDense.Ops;

namespace VimDense.Tests.Ops;

/// <summary>Gradients of the native ops against central finite differences of the native forward, in float64.</summary>
public class ScanGradCheckTests
{
    private const double Step = 1e-6;

    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 2)]
    public void SelectiveScanGradientsMatchFiniteDifferences(bool reverse, long groups)
    {
        var inputs = ScanTestInputs.Random(2, 2, 6, 3, groups, true, true, true, true, seed: 3, ScalarType.Float64);
        var weights = randn(new long[] { 2, 2, 6 }, generator: new Generator(4), dtype: ScalarType.Float64);
        double Loss(ScanTestInputs x) =>
            (SelectiveScan.Apply(x.U, x.Delta, x.A, x.B, x.C, x.D, x.Z, x.DeltaBias, deltaSoftplus: true, reverse: reverse) * weights)
            .sum().item<double>();
        var analytic = ScanRandomTests.RunWithGradients(inputs, weights, reverse, softplus: true, native: true);
        foreach (var (name, tensor) in inputs.Named())
            ScanAssert.Close(FiniteDifference(tensor!, () => Loss(inputs)), analytic["d" + name], 1e-6, 1e-7, "d" + name);
    }

    [Theory]
    [InlineData(2, false)]
    [InlineData(4, true)]
    public void CausalConv1dGradientsMatchFiniteDifferences(long width, bool reverse)
    {
        var g = new Generator(8);
        var x = randn(new long[] { 2, 3, 7 }, generator: g, dtype: ScalarType.Float64);
        var w = randn(new long[] { 3, width }, generator: g, dtype: ScalarType.Float64);
        var b = randn(new long[] { 3 }, generator: g, dtype: ScalarType.Float64);
        var weights = randn(new long[] { 2, 3, 7 }, generator: g, dtype: ScalarType.Float64);
        double Loss() => (CausalConv1d.Apply(x, w, b, silu: true, reverse: reverse) * weights).sum().item<double>();
        var (xl, wl, bl) = (x.clone().requires_grad_(true), w.clone().requires_grad_(true), b.clone().requires_grad_(true));
        CausalConv1d.Apply(xl, wl, bl, silu: true, reverse: reverse).backward([weights]);
        ScanAssert.Close(FiniteDifference(x, Loss), xl.grad!, 1e-6, 1e-7, "dx");
        ScanAssert.Close(FiniteDifference(w, Loss), wl.grad!, 1e-6, 1e-7, "dweight");
        ScanAssert.Close(FiniteDifference(b, Loss), bl.grad!, 1e-6, 1e-7, "dbias");
    }

    /// <summary>Central differences of loss() with respect to every element of t (perturbed in place).</summary>
    private static Tensor FiniteDifference(Tensor t, Func<double> loss)
    {
        var flat = t.view(-1);
        var grad = zeros(flat.shape[0], dtype: ScalarType.Float64);
        for (long i = 0; i < flat.shape[0]; i++)
        {
            var original = flat[i].item<double>();
            flat[i] = original + Step;
            var plus = loss();
            flat[i] = original - Step;
            var minus = loss();
            flat[i] = original;
            grad[i] = (plus - minus) / (2 * Step);
        }
        return grad.view(t.shape);
    }
}

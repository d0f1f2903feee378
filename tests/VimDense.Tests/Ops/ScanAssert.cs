using static TorchSharp.torch;

namespace VimDense.Tests.Ops;

/// <summary>allclose with a message that says where and by how much two tensors differ.</summary>
internal static class ScanAssert
{
    public static void Close(Tensor expected, Tensor actual, double rtol, double atol, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        var e = expected.to(ScalarType.Float64).cpu();
        var a = actual.to(ScalarType.Float64).cpu();
        var excess = (a - e).abs() - (atol + rtol * e.abs());
        var worst = excess.max().item<double>();
        Assert.False(double.IsNaN(worst) || a.isnan().any().item<bool>(), $"{what}: NaN");
        var maxAbs = (a - e).abs().max().item<double>();
        Assert.True(worst <= 0, $"{what}: exceeds tolerance by {worst:g4} (max |diff| {maxAbs:g4}, rtol {rtol}, atol {atol})");
    }
}

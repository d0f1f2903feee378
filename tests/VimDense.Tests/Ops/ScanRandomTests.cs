using static TorchSharp.torch;
using VimDense.Ops;

namespace VimDense.Tests.Ops;

/// <summary>Native selective scan and causal conv1d against the TorchSharp references on random shapes and options.</summary>
public class ScanRandomTests
{
    public static TheoryData<long, long, long, long, long, bool, bool, bool, bool> Shapes() => new()
    {
        // batch, dim, length, dstate, groups, D, z, delta_bias, softplus
        { 2, 4, 1, 16, 1, true, true, true, true },
        { 2, 4, 2, 1, 2, false, false, false, false },
        { 1, 4, 3, 64, 2, true, false, true, true },
        { 2, 6, 17, 16, 2, false, true, false, true },
        { 1, 2, 17, 1, 1, true, true, true, false },
        { 1, 2, 2049, 16, 1, true, true, true, true },
        { 1, 2, 2049, 64, 2, false, false, true, true },
        { 1, 1, 5000, 16, 1, true, true, false, true },
        { 1, 2, 5000, 1, 2, false, true, true, false },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void NativeMatchesReferenceForwardAndBackward(long batch, long dim, long length, long dstate, long groups,
                                                         bool skip, bool gate, bool bias, bool softplus)
    {
        var seed = (int)(batch * 1000 + dim * 100 + length + dstate * 7 + groups);
        var inputs = ScanTestInputs.Random(batch, dim, length, dstate, groups, skip, gate, bias, softplus, seed);
        var dout = randn(batch, dim, length, generator: new Generator((ulong)seed + 1));
        foreach (var reverse in new[] { false, true })
        {
            // Reference in float64 from the same float32 values; native in float32 and float64.
            var reference = RunWithGradients(inputs.To(ScalarType.Float64), dout, reverse, softplus, native: false);
            var native32 = RunWithGradients(inputs, dout, reverse, softplus, native: true);
            var native64 = RunWithGradients(inputs.To(ScalarType.Float64), dout, reverse, softplus, native: true);
            foreach (var (name, expected) in reference)
            {
                var scale = Math.Max(1.0, expected.abs().max().item<double>());
                ScanAssert.Close(expected, native64[name], 1e-9, 1e-9 * scale, $"float64 {name} reverse={reverse}");
                ScanAssert.Close(expected, native32[name], 2e-3, 5e-4 * scale, $"float32 {name} reverse={reverse}");
            }
        }
    }

    [Fact]
    public void ReverseEqualsFlipScanFlip()
    {
        var inputs = ScanTestInputs.Random(2, 4, 70, 16, 2, true, true, true, true, seed: 5, ScalarType.Float64);
        var reversed = SelectiveScan.Apply(inputs.U, inputs.Delta, inputs.A, inputs.B, inputs.C, inputs.D, inputs.Z,
                                           inputs.DeltaBias, deltaSoftplus: true, reverse: true);
        var f = inputs.Flipped();
        var flipped = SelectiveScan.Apply(f.U, f.Delta, f.A, f.B, f.C, f.D, f.Z, f.DeltaBias, deltaSoftplus: true).flip(-1);
        ScanAssert.Close(flipped, reversed, 1e-12, 1e-12, "reverse vs flip-scan-flip");
    }

    [Theory]
    [InlineData(2, false, true, true)]
    [InlineData(3, true, false, true)]
    [InlineData(4, true, true, false)]
    [InlineData(4, false, true, true)]
    public void CausalConv1dMatchesReference(long width, bool hasBias, bool silu, bool reverse)
    {
        var g = new Generator(17);
        var x = randn(new long[] { 2, 5, 37 }, generator: g, dtype: ScalarType.Float64);
        var w = randn(new long[] { 5, width }, generator: g, dtype: ScalarType.Float64);
        var b = hasBias ? randn(new long[] { 5 }, generator: g, dtype: ScalarType.Float64) : null;
        var dout = randn(new long[] { 2, 5, 37 }, generator: g, dtype: ScalarType.Float64);
        Tensor[] Run(bool native)
        {
            var (xl, wl, bl) = (x.clone().requires_grad_(true), w.clone().requires_grad_(true), b?.clone().requires_grad_(true));
            var y = native ? CausalConv1d.Apply(xl, wl, bl, silu, reverse) : CausalConv1dReference.Apply(xl, wl, bl, silu, reverse);
            y.backward([dout]);
            return bl is null ? [y, xl.grad!, wl.grad!] : [y, xl.grad!, wl.grad!, bl.grad!];
        }
        var (expected, actual) = (Run(native: false), Run(native: true));
        for (var i = 0; i < expected.Length; i++) ScanAssert.Close(expected[i], actual[i], 1e-10, 1e-10, $"conv output/grad {i}");
        // float32 runs the explicit AVX2 rows (8 steps at a time, then a tail: 37 = 4 * 8 + 5), forward and backward.
        var (x32, w32, b32) = (x.to(ScalarType.Float32).requires_grad_(true), w.to(ScalarType.Float32).requires_grad_(true),
                               b?.to(ScalarType.Float32).requires_grad_(true));
        var y32 = CausalConv1d.Apply(x32, w32, b32, silu, reverse);
        y32.backward([dout.to(ScalarType.Float32)]);
        Tensor[] actual32 = b32 is null ? [y32, x32.grad!, w32.grad!] : [y32, x32.grad!, w32.grad!, b32.grad!];
        for (var i = 0; i < expected.Length; i++) ScanAssert.Close(expected[i], actual32[i], 1e-4, 1e-5, $"conv float32 output/grad {i}");
    }

    internal static Dictionary<string, Tensor> RunWithGradients(ScanTestInputs inputs, Tensor dout, bool reverse, bool softplus,
                                                                bool native, Device? device = null)
    {
        var leaves = inputs.Leaves();
        var y = native
            ? SelectiveScan.Apply(leaves.U, leaves.Delta, leaves.A, leaves.B, leaves.C, leaves.D, leaves.Z, leaves.DeltaBias, softplus, reverse)
            : SelectiveScanReference.Apply(leaves.U, leaves.Delta, leaves.A, leaves.B, leaves.C, leaves.D, leaves.Z, leaves.DeltaBias, softplus, reverse);
        y.backward([dout.to(y.dtype).to(y.device)]);
        var result = new Dictionary<string, Tensor> { ["out"] = y.detach() };
        foreach (var (name, tensor) in leaves.Named())
            if (tensor is not null) result["d" + name] = tensor.grad!;
        return result;
    }
}

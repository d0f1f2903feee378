using static TorchSharp.torch;
using VimDense.Ops;

namespace VimDense.Tests.Ops;

/// <summary>CUDA kernels against the CPU kernels (float32 state on both), for float32, bfloat16 and float16 inputs.</summary>
public class ScanGpuTests
{
    [GpuTheory]
    [InlineData(ScalarType.Float32, 2, 8, 3000, 16, 1, 2e-3)]
    [InlineData(ScalarType.BFloat16, 2, 8, 500, 16, 2, 5e-2)]
    [InlineData(ScalarType.Float16, 1, 4, 2100, 64, 1, 2e-2)]
    [InlineData(ScalarType.Float32, 1, 70000, 3, 16, 1, 2e-3)]
    [InlineData(ScalarType.Float32, 1, 8, 40, 200, 2, 2e-3)]
    public void CudaMatchesCpu(ScalarType dtype, long batch, long dim, long length, long dstate, long groups, double tol)
    {
        var inputs = ScanTestInputs.Random(batch, dim, length, dstate, groups, true, true, true, true, seed: 11);
        // Round the inputs to the GPU dtype first so both sides see the same values.
        var rounded = inputs.To(dtype).To(ScalarType.Float32) with { A = inputs.A, D = inputs.D, DeltaBias = inputs.DeltaBias };
        var dout = randn(batch, dim, length, generator: new Generator(12)).to(dtype).to(ScalarType.Float32);
        foreach (var reverse in new[] { false, true })
        {
            var cpu = ScanRandomTests.RunWithGradients(rounded, dout, reverse, softplus: true, native: true);
            var gpuInputs = rounded.To(CUDA);
            var gpuActivations = gpuInputs with
            {
                U = gpuInputs.U.to(dtype), Delta = gpuInputs.Delta.to(dtype), B = gpuInputs.B.to(dtype),
                C = gpuInputs.C.to(dtype), Z = gpuInputs.Z!.to(dtype),
            };
            var gpu = ScanRandomTests.RunWithGradients(gpuActivations, dout.to(CUDA), reverse, softplus: true, native: true);
            foreach (var (name, expected) in cpu)
            {
                var scale = Math.Max(1.0, expected.abs().max().item<double>());
                ScanAssert.Close(expected, gpu[name].to(ScalarType.Float32).cpu(), tol, tol * scale, $"{dtype} {name} reverse={reverse}");
            }
        }
    }

    [GpuTheory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.BFloat16)]
    public void CudaScanWritesOverAScratchDeltaWithTheSameValues(ScalarType dtype)
    {
        var x = ScanTestInputs.Random(2, 64, 3000, 16, 1, true, true, true, true, seed: 13).To(CUDA);
        var activations = x with { U = x.U.to(dtype), Delta = x.Delta.to(dtype), B = x.B.to(dtype), C = x.C.to(dtype), Z = x.Z!.to(dtype) };
        Tensor Scan(Tensor delta, bool scratch) => SelectiveScan.Apply(activations.U, delta, activations.A, activations.B,
            activations.C, activations.D, activations.Z, activations.DeltaBias, deltaSoftplus: true, reverse: true, deltaIsScratch: scratch);
        using var noGrad = no_grad();
        using var expected = Scan(activations.Delta, scratch: false);
        using var delta = activations.Delta.clone();
        using var inPlace = Scan(delta, scratch: true);
        Assert.Equal(ScanNative.Ptr(delta), ScanNative.Ptr(inPlace));
        Assert.True(inPlace.eq(expected).all().item<bool>());
    }

    [GpuTheory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.BFloat16)]
    [InlineData(ScalarType.Float16)]
    public void CausalConv1dCudaMatchesCpu(ScalarType dtype)
    {
        var g = new Generator(5);
        var x = randn(new long[] { 2, 70000, 9 }, generator: g).to(dtype).to(ScalarType.Float32);
        var w = randn(new long[] { 70000, 4 }, generator: g);
        var b = randn(new long[] { 70000 }, generator: g);
        foreach (var reverse in new[] { false, true })
        {
            var cpu = CausalConv1d.Apply(x, w, b, silu: true, reverse: reverse);
            var gpu = CausalConv1d.Apply(x.to(dtype).to(CUDA), w.to(CUDA), b.to(CUDA), silu: true, reverse: reverse);
            ScanAssert.Close(cpu, gpu.to(ScalarType.Float32).cpu(), 2e-2, 2e-2, $"conv {dtype} reverse={reverse}");
        }
    }
}

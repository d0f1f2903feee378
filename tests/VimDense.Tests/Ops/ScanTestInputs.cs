using static TorchSharp.torch;

namespace VimDense.Tests.Ops;

/// <summary>Random inputs of a selective scan with optional parts, reproducible from a seed.</summary>
internal sealed record ScanTestInputs(Tensor U, Tensor Delta, Tensor A, Tensor B, Tensor C, Tensor? D, Tensor? Z, Tensor? DeltaBias)
{
    public static ScanTestInputs Random(long batch, long dim, long length, long dstate, long groups, bool skip, bool gate,
                                        bool bias, bool softplus, int seed, ScalarType dtype = ScalarType.Float32)
    {
        var g = new Generator((ulong)seed);
        Tensor Randn(params long[] shape) => randn(shape, generator: g, dtype: ScalarType.Float64);
        Tensor Rand(params long[] shape) => rand(shape, generator: g, dtype: ScalarType.Float64);
        // Without softplus delta itself is the step: keep it positive as real models do.
        var delta = softplus ? Randn(batch, dim, length) * 0.5 - 1.0 : Rand(batch, dim, length) * 0.5 + 0.05;
        var deltaBias = softplus ? Randn(dim) * 0.2 : Rand(dim) * 0.1;
        return new ScanTestInputs(
            Randn(batch, dim, length).to(dtype), delta.to(dtype), (-(Randn(dim, dstate) * 0.5).exp()).to(dtype),
            Randn(batch, groups, dstate, length).to(dtype), Randn(batch, groups, dstate, length).to(dtype),
            skip ? Randn(dim).to(dtype) : null, gate ? Randn(batch, dim, length).to(dtype) : null,
            bias ? deltaBias.to(dtype) : null);
    }

    public ScanTestInputs To(ScalarType dtype) => new(U.to(dtype), Delta.to(dtype), A.to(dtype), B.to(dtype), C.to(dtype),
        D?.to(dtype), Z?.to(dtype), DeltaBias?.to(dtype));

    public ScanTestInputs To(Device device) => new(U.to(device), Delta.to(device), A.to(device), B.to(device), C.to(device),
        D?.to(device), Z?.to(device), DeltaBias?.to(device));

    /// <summary>Leaf copies that record gradients.</summary>
    public ScanTestInputs Leaves() => new(Leaf(U)!, Leaf(Delta)!, Leaf(A)!, Leaf(B)!, Leaf(C)!, Leaf(D), Leaf(Z), Leaf(DeltaBias));

    /// <summary>The inputs reversed in time (for reverse = flip, scan, flip).</summary>
    public ScanTestInputs Flipped() => new(U.flip(-1), Delta.flip(-1), A, B.flip(-1), C.flip(-1), D, Z?.flip(-1), DeltaBias);

    public IEnumerable<(string Name, Tensor? Tensor)> Named() =>
        [("u", U), ("delta", Delta), ("A", A), ("B", B), ("C", C), ("D", D), ("z", Z), ("delta_bias", DeltaBias)];

    private static Tensor? Leaf(Tensor? t) => t?.detach().clone().requires_grad_(true);
}

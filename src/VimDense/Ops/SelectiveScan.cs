using static TorchSharp.torch;

namespace VimDense.Ops;

/// <summary>
/// Mamba-1 selective scan with variable B/C (native CPU/CUDA kernels, differentiable). Semantics are those of
/// mamba's <c>selective_scan_ref</c>; see <c>native/include/vd_scan.h</c>. The device of <paramref name="u"/>
/// picks the CPU or CUDA kernels; all inputs must be on that device.
/// </summary>
public static class SelectiveScan
{
    // u, delta: (B, D, L); A: (D, N); B, C: (B, G, N, L); D, deltaBias: (D); z: (B, D, L). Returns (B, D, L), dtype of u.
    /// <summary>Runs the scan; with <paramref name="reverse"/> it runs from the last position to the first.</summary>
    /// <remarks>B and C may also be given as (B, N, L), meaning one group.</remarks>
    /// <param name="deltaIsScratch">
    /// the caller does not read delta after the call: when no gradient is recorded, the output is written over it
    /// (shares its storage), which spares inference one (B, D, L) buffer; with a gradient delta is saved and kept
    /// </param>
    public static Tensor Apply(Tensor u, Tensor delta, Tensor A, Tensor B, Tensor C, Tensor? D = null, Tensor? z = null,
                               Tensor? deltaBias = null, bool deltaSoftplus = false, bool reverse = false,
                               bool deltaIsScratch = false)
    {
        ScanArguments.Validate(u, delta, A, B, C, D, z, deltaBias, native: true);
        NativeDevices.Require("selective_scan", ("u", u), ("delta", delta), ("A", A), ("B", B), ("C", C), ("D", D), ("z", z), ("deltaBias", deltaBias));
        var b4 = B.dim() == 3 ? B.unsqueeze(1) : B;
        var c4 = C.dim() == 3 ? C.unsqueeze(1) : C;
        object[] args = [u, delta, A, b4, c4, D!, z!, deltaBias!, deltaSoftplus, reverse];
        return NeedsGradient(u, delta, A, b4, c4, D, z, deltaBias)
            ? AutogradFunctionScopes.Apply(() => [SelectiveScanFunction.apply(args)])[0]
            : SelectiveScanFunction.ForwardOnly(args, overDelta: deltaIsScratch);
    }

    /// <summary>Whether autograd must record the op (otherwise its context would only hold memory).</summary>
    internal static bool NeedsGradient(params Tensor?[] inputs) =>
        is_grad_enabled() && inputs.Any(t => t is { requires_grad: true });
}

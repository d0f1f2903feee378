using TorchSharp;
using static TorchSharp.torch;

namespace VimDense.Ops;

/// <summary>
/// The selective scan in plain TorchSharp ops, as mamba's <c>selective_scan_ref</c>: materialises the
/// (B, D, L, N) decays and inputs, then loops over L. Differentiable by autograd. The oracle for the native op
/// (tests) and the baseline of <c>vimdense bench scan</c>; slow and memory-hungry by design.
/// </summary>
public static class SelectiveScanReference
{
    /// <summary>Same contract as <see cref="SelectiveScan.Apply"/>.</summary>
    public static Tensor Apply(Tensor u, Tensor delta, Tensor A, Tensor B, Tensor C, Tensor? D = null, Tensor? z = null,
                               Tensor? deltaBias = null, bool deltaSoftplus = false, bool reverse = false)
    {
        ScanArguments.Validate(u, delta, A, B, C, D, z, deltaBias, native: false);
        if (reverse)
            return Apply(u.flip(-1), delta.flip(-1), A, B.flip(-1), C.flip(-1), D, z?.flip(-1), deltaBias, deltaSoftplus).flip(-1);
        var dim = u.shape[1];
        var b4 = B.dim() == 3 ? B.unsqueeze(1) : B;
        var c4 = C.dim() == 3 ? C.unsqueeze(1) : C;
        var perGroup = dim / b4.shape[1];
        var bPerChannel = b4.repeat_interleave(perGroup, 1).to(A.dtype);  // (B, D, N, L)
        var cPerChannel = c4.repeat_interleave(perGroup, 1).to(A.dtype);
        var dt = delta.to(A.dtype);
        if (deltaBias is not null) dt = dt + deltaBias.to(A.dtype).unsqueeze(-1);
        if (deltaSoftplus) dt = nn.functional.softplus(dt, 1, 20);
        var decay = (dt.unsqueeze(-1) * A.unsqueeze(1)).exp();                                     // (B, D, L, N)
        var input = (dt * u.to(A.dtype)).unsqueeze(-1) * bPerChannel.permute(0, 1, 3, 2);        // (B, D, L, N)
        var state = torch.zeros(u.shape[0], dim, A.shape[1], dtype: A.dtype, device: u.device);
        // unbind, not select per step: select's backward scatters into a full-size zero tensor every step.
        var (decays, inputs, cs) = (decay.unbind(2), input.unbind(2), cPerChannel.unbind(3));
        var outputs = new List<Tensor>();
        for (var t = 0; t < decays.Length; t++)
        {
            state = decays[t] * state + inputs[t];
            outputs.Add((state * cs[t]).sum(-1));
        }
        var y = torch.stack(outputs, 2);
        if (D is not null) y = y + u.to(A.dtype) * D.to(A.dtype).unsqueeze(-1);
        if (z is not null) y = y * nn.functional.silu(z.to(A.dtype));
        return y.to(u.dtype);
    }
}

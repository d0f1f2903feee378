using static TorchSharp.torch;

namespace VimDense.Backbones;

// TEMPORARY: pure-TorchSharp stand-ins with the signatures of VimDense.Ops.SelectiveScan / CausalConv1d,
// used until the `scan` branch (native kernels) is merged. Slow (a loop over L); correctness only.
internal static class MixerKernels
{
    public static Tensor SelectiveScan(Tensor u, Tensor delta, Tensor A, Tensor B, Tensor C, Tensor? D, Tensor? z,
        Tensor? deltaBias, bool deltaSoftplus, bool reverse)
    {
        using var scope = NewDisposeScope();
        var dt = deltaBias is null ? delta : delta + deltaBias.view(1, -1, 1);
        if (deltaSoftplus) dt = nn.functional.softplus(dt);
        long batch = u.shape[0], dim = u.shape[1], length = u.shape[2];
        var groups = B.shape[1];
        var perGroup = dim / groups;
        var h = zeros(batch, dim, A.shape[1]);
        var ys = new Tensor[length];
        for (long step = 0; step < length; step++)
        {
            var t = reverse ? length - 1 - step : step;
            var dtT = dt.select(2, t).unsqueeze(-1);                                   // (b, d, 1)
            var bT = B.select(3, t).repeat_interleave(perGroup, 1);                      // (b, d, n)
            var cT = C.select(3, t).repeat_interleave(perGroup, 1);
            h = (dtT * A).exp() * h + dtT * bT * u.select(2, t).unsqueeze(-1);
            ys[t] = (h * cT).sum(-1);
        }
        var y = stack(ys, 2);
        if (D is not null) y = y + u * D.view(1, -1, 1);
        if (z is not null) y = y * nn.functional.silu(z);
        return y.MoveToOuterDisposeScope();
    }

    public static Tensor CausalConv1d(Tensor x, Tensor weight, Tensor? bias, bool silu, bool reverse)
    {
        using var scope = NewDisposeScope();
        var width = weight.shape[1];
        var input = reverse ? x.flip(2) : x;
        var y = nn.functional.conv1d(input, weight.unsqueeze(1), bias, padding: width - 1, groups: x.shape[1])
            .narrow(2, 0, x.shape[2]);
        if (silu) y = nn.functional.silu(y);
        if (reverse) y = y.flip(2);
        return y.MoveToOuterDisposeScope();
    }
}

"""float64 PyTorch references of the native ops (the semantics in native/include/vd_scan.h), used as oracles by
check_native_ops.py. Plain loops over time: slow, but exact and obviously right."""
import torch
import torch.nn.functional as F


def selective_scan(u, delta, A, B, C, D, z, delta_bias, softplus=True, reverse=False):
    """mamba's selective_scan_ref with grouped B/C and an in-place `reverse`; differentiable."""
    if reverse:
        flip = lambda t: None if t is None else t.flip(-1)
        return selective_scan(flip(u), flip(delta), A, flip(B), flip(C), D, flip(z), delta_bias,
                              softplus, False).flip(-1)
    batch, dim, length = u.shape
    groups = B.shape[1]
    dt = delta + (delta_bias[:, None] if delta_bias is not None else 0)
    if softplus:
        dt = torch.where(dt <= 20, torch.log1p(torch.exp(dt)), dt)
    Bc = B.repeat_interleave(dim // groups, dim=1)  # (batch, dim, dstate, length)
    Cc = C.repeat_interleave(dim // groups, dim=1)
    h = u.new_zeros(batch, dim, A.shape[1])
    ys = []
    for t in range(length):
        h = torch.exp(dt[:, :, t, None] * A) * h + (dt[:, :, t] * u[:, :, t])[:, :, None] * Bc[:, :, :, t]
        ys.append((h * Cc[:, :, :, t]).sum(-1))
    y = torch.stack(ys, dim=-1)
    if D is not None:
        y = y + D[:, None] * u
    return y * F.silu(z) if z is not None else y


def causal_conv1d(x, weight, bias, silu=True, reverse=False):
    if reverse:
        return causal_conv1d(x.flip(-1), weight, bias, silu, False).flip(-1)
    width = weight.shape[1]
    out = F.conv1d(F.pad(x, (width - 1, 0)), weight[:, None, :], bias, groups=x.shape[1])
    return F.silu(out) if silu else out

"""Checks libvimdense_native, called through ctypes on PyTorch tensors, against float64 PyTorch references
(selective scan forward/backward, causal conv1d forward/backward) and torchvision (roi_align forward/backward,
nms). Prints a markdown table; exit status 1 when a row fails.

    python3 check_native_ops.py LIBRARY --device cpu|cuda
"""
import argparse
import sys

import torch
import torchvision

import references
from native_abi import NativeLibrary, synchronize

# max |native - reference| / max |reference| allowed, by dtype (fp32 rounding vs bf16/fp16 inputs and outputs)
TOLERANCE = {torch.float32: 2e-4, torch.float16: 2e-2, torch.bfloat16: 4e-2}


def rel_err(got, ref):
    ref = ref.double()
    return ((got.double() - ref).abs().max() / ref.abs().max().clamp_min(1e-30)).item()


def scan_rows(lib, device, dtype, reverse):
    g = torch.Generator().manual_seed(7)
    batch, dim, length, dstate, groups = 2, 48, 200, 16, 2
    rnd = lambda *s: torch.randn(*s, generator=g)
    u, z = rnd(batch, dim, length), rnd(batch, dim, length)
    delta = rnd(batch, dim, length) * 0.5 - 1.0
    B, C = rnd(batch, groups, dstate, length), rnd(batch, groups, dstate, length)
    A, D, delta_bias = -torch.exp(rnd(dim, dstate) * 0.5), rnd(dim), rnd(dim) * 0.1
    dout = rnd(batch, dim, length)
    act = [t.to(device, dtype) for t in (u, delta, B, C, z, dout)]
    weights = [t.to(device, torch.float32) for t in (A, D, delta_bias)]
    u_, delta_, B_, C_, z_, dout_ = act
    A_, D_, delta_bias_ = weights

    out, ckpt = lib.scan_fwd(u_, delta_, A_, B_, C_, D_, z_, delta_bias_, True, reverse)
    grads = lib.scan_bwd(u_, delta_, A_, B_, C_, D_, z_, delta_bias_, dout_, ckpt, True, reverse)
    synchronize(device)

    # The reference sees exactly the (rounded) inputs the kernel saw, in float64.
    ref_in = [t.detach().double().requires_grad_() for t in (u_, delta_, A_, B_, C_, D_, z_, delta_bias_)]
    ref_out = references.selective_scan(*ref_in, softplus=True, reverse=reverse)
    ref_out.backward(dout_.double())
    tol = TOLERANCE[dtype]
    label = f"selective_scan{' reverse' if reverse else ''}"
    shape = f"b{batch} d{dim} l{length} n{dstate} g{groups}"
    rows = [(f"{label} fwd", shape, dtype, rel_err(out, ref_out), tol)]
    names = ("du", "ddelta", "dA", "dB", "dC", "dD", "dz", "ddelta_bias")
    worst = max(((rel_err(got, ref.grad), name) for got, ref, name in zip(grads, ref_in, names)))
    # Weight gradients sum over batch x length terms: their rounding grows with it, hence 5x.
    rows.append((f"{label} bwd (worst: {worst[1]})", shape, dtype, worst[0], tol * 5))
    return rows


def conv_rows(lib, device, dtype, reverse):
    g = torch.Generator().manual_seed(11)
    batch, dim, length, width = 2, 64, 300, 4
    x, dout = torch.randn(batch, dim, length, generator=g), torch.randn(batch, dim, length, generator=g)
    weight, bias = torch.randn(dim, width, generator=g) * 0.5, torch.randn(dim, generator=g)
    x_, dout_ = x.to(device, dtype), dout.to(device, dtype)
    w_, b_ = weight.to(device), bias.to(device)
    out = lib.conv1d_fwd(x_, w_, b_, True, reverse)
    dx, dw, db = lib.conv1d_bwd(x_, w_, b_, dout_, True, reverse)
    synchronize(device)
    ref_in = [t.detach().double().requires_grad_() for t in (x_, w_, b_)]
    ref_out = references.causal_conv1d(*ref_in, silu=True, reverse=reverse)
    ref_out.backward(dout_.double())
    label = f"causal_conv1d{' reverse' if reverse else ''}"
    shape = f"b{batch} d{dim} l{length} w{width}"
    worst = max((rel_err(dx, ref_in[0].grad), "dx"), (rel_err(dw, ref_in[1].grad), "dweight"),
                (rel_err(db, ref_in[2].grad), "dbias"))
    return [(f"{label} fwd", shape, dtype, rel_err(out, ref_out), TOLERANCE[dtype]),
            (f"{label} bwd (worst: {worst[1]})", shape, dtype, worst[0], TOLERANCE[dtype] * 5)]


def random_rois(g, count, batch, size):
    xy = torch.rand(count, 2, generator=g) * size * 0.8
    wh = torch.rand(count, 2, generator=g) * size * 0.4 + 1.0
    index = torch.randint(0, batch, (count, 1), generator=g).double()
    return torch.cat([index, xy, xy + wh], dim=1)


def roi_align_rows(lib, device):
    g = torch.Generator().manual_seed(13)
    features = torch.randn(2, 32, 50, 60, generator=g)
    rois = random_rois(g, 100, 2, 200)
    rows = []
    for aligned, sampling in ((True, 0), (False, 2)):
        feats, boxes = features.to(device), rois.to(device, torch.float32)
        out = lib.roi_align_fwd(feats, boxes, (7, 7), 0.25, sampling, aligned)
        grad_out = torch.randn(out.shape, generator=g).to(device)
        grad_in = lib.roi_align_bwd(feats, boxes, grad_out, (7, 7), 0.25, sampling, aligned)
        synchronize(device)
        ref_feats = feats.double().requires_grad_()
        ref = torchvision.ops.roi_align(ref_feats, boxes.double(), (7, 7), 0.25, sampling, aligned)
        ref.backward(grad_out.double())
        shape = f"N2 C32 50x60 K100 7x7 sr{sampling} aligned={int(aligned)}"
        rows.append(("roi_align fwd vs torchvision", shape, torch.float32, rel_err(out, ref), 1e-5))
        rows.append(("roi_align bwd vs torchvision", shape, torch.float32, rel_err(grad_in, ref_feats.grad), 1e-5))
    return rows


def nms_rows(lib, device):
    g = torch.Generator().manual_seed(17)
    rows = []
    for count, iou in ((500, 0.5), (2000, 0.7)):
        boxes = random_rois(g, count, 1, 400)[:, 1:].float()
        scores = torch.rand(count, generator=g)
        got = lib.nms(boxes.to(device), scores.to(device), iou)
        ref = torchvision.ops.nms(boxes.double(), scores.double(), iou).tolist()
        mismatch = 0.0 if got == ref else 1.0
        rows.append((f"nms vs torchvision (kept {len(ref)})", f"{count} boxes iou {iou}", torch.float32, mismatch, 0.0))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("library")
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    args = parser.parse_args()
    lib = NativeLibrary(args.library)
    device = torch.device("cuda:0" if args.device == "cuda" else "cpu")
    torch.manual_seed(0)
    dtypes = (torch.float32, torch.bfloat16, torch.float16)
    rows = []
    for dtype in dtypes:
        for reverse in (False, True):
            rows += scan_rows(lib, device, dtype, reverse)
        rows += conv_rows(lib, device, dtype, False)
    rows += conv_rows(lib, device, torch.float32, True)
    rows += roi_align_rows(lib, device)
    rows += nms_rows(lib, device)

    print(f"libvimdense_native {lib.version()} (CUDA compiled: {lib.has_cuda()}, GPUs: {lib.cuda_device_count()}, "
          f"CPU threads: {lib.cpu_threads()}), device {device}, torch {torch.__version__}, "
          f"torchvision {torchvision.__version__}\n")
    print("| op | shape | dtype | error | tolerance | result |\n|---|---|---|---|---|---|")
    failed = 0
    for op, shape, dtype, err, tol in rows:
        ok = err <= tol
        failed += not ok
        print(f"| {op} | {shape} | {str(dtype).replace('torch.', '')} | {err:.2e} | {tol:.0e} | "
              f"{'pass' if ok else 'FAIL'} |")
    print(f"\n{len(rows) - failed} of {len(rows)} rows pass (error: max |native - reference| / max |reference|; "
          "nms: 1 when the kept indices differ).")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

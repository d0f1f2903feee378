"""Times the native selective scan (forward and backward) against a copy of the same bytes on the same device
(a device-to-device copy on a GPU, a memcpy on the CPU): the ratio says how far the scan is from moving its
operands once at memory speed. Prints a markdown table.

    python3 time_scan.py LIBRARY --device cpu|cuda [--quick]
"""
import argparse
import statistics
import time

import torch

from native_abi import NativeLibrary, synchronize


def median_seconds(fn, device, repeats):
    fn()  # warm-up (allocations, first-touch, kernel load)
    synchronize(device)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        synchronize(device)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def scan_operands(shape, dtype, device):
    batch, dim, length, dstate = shape
    act = lambda: torch.randn(batch, dim, length, device=device).to(dtype)
    bc = lambda: torch.randn(batch, 1, dstate, length, device=device).to(dtype)
    u, delta, z, dout = act(), act() * 0.5 - 1.0, act(), act()
    B, C = bc(), bc()
    A = -torch.exp(torch.randn(dim, dstate, device=device) * 0.5)
    D, delta_bias = torch.randn(dim, device=device), torch.randn(dim, device=device) * 0.1
    return u, delta, A, B, C, D, z, delta_bias, dout


def copy_seconds(nbytes, device, repeats):
    src = torch.empty(nbytes, dtype=torch.uint8, device=device)
    dst = torch.empty_like(src)
    return median_seconds(lambda: dst.copy_(src), device, repeats)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("library")
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    parser.add_argument("--quick", action="store_true", help="small shape, few repeats (CPU rehearsal)")
    args = parser.parse_args()
    lib = NativeLibrary(args.library)
    device = torch.device("cuda:0" if args.device == "cuda" else "cpu")
    # Vim-S at 512x512 (1024 patches + class token), d_inner 768, dstate 16; batch 8 on a GPU.
    shape = (1, 192, 1025, 16) if args.quick else (8, 768, 1025, 16)
    repeats = 5 if args.quick else 20
    print(f"scan shape (batch, d_inner, length, dstate) = {shape}, device {device}, median of {repeats}\n")
    print("| pass | dtype | scan ms | operand bytes (MiB) | copy, same traffic ms | scan / copy |")
    print("|---|---|---|---|---|---|")
    for dtype in (torch.float32, torch.bfloat16):
        u, delta, A, B, C, D, z, delta_bias, dout = scan_operands(shape, dtype, device)
        act_bytes = u.numel() * u.element_size()
        bc_bytes = B.numel() * B.element_size()
        out, ckpt = lib.scan_fwd(u, delta, A, B, C, D, z, delta_bias)
        grads = lib.scan_bwd(u, delta, A, B, C, D, z, delta_bias, dout, ckpt)
        # forward reads u, delta, z, B, C and writes out; backward also reads dout and writes du, ddelta, dz, dB, dC
        passes = {
            "forward": (lambda: lib.scan_fwd(u, delta, A, B, C, D, z, delta_bias, out=out, checkpoints=ckpt),
                        4 * act_bytes + 2 * bc_bytes),
            "backward": (lambda: lib.scan_bwd(u, delta, A, B, C, D, z, delta_bias, dout, ckpt, grads=grads),
                         7 * act_bytes + 4 * bc_bytes),
        }
        for name, (fn, nbytes) in passes.items():
            scan = median_seconds(fn, device, repeats)
            # A copy of nbytes / 2 reads and writes nbytes in all: the same traffic as the scan's operands once.
            copy = copy_seconds(nbytes // 2, device, repeats)
            print(f"| {name} | {str(dtype).replace('torch.', '')} | {scan * 1e3:.3f} | {nbytes / 2**20:.1f} | "
                  f"{copy * 1e3:.3f} | {scan / copy:.1f} |")


if __name__ == "__main__":
    main()

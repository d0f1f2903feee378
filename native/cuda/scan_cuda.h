// CUDA entry points of the scan and conv ops, called by the exported functions in cpu/selective_scan.cpp
// and cpu/causal_conv1d.cpp only when the library is built with CUDA (VD_WITH_CUDA). Plain C++
// declarations (no CUDA headers), so the CPU sources can include this file. Hidden: not exported.
#pragma once
#include "vd_scan.h"

#define VD_HIDDEN __attribute__((visibility("hidden")))

extern "C" {
VD_HIDDEN int vd_scan_cuda_fwd(const vd_scan_shape* shape, const void* u, const void* delta, const void* A, const void* B,
                     const void* C, const void* D, const void* z, const void* delta_bias, void* out, void* stream);
VD_HIDDEN int vd_scan_cuda_bwd(const vd_scan_shape* shape, const void* u, const void* delta, const void* A, const void* B,
                     const void* C, const void* D, const void* z, const void* delta_bias, const void* dout, void* du,
                     void* ddelta, void* dA, void* dB, void* dC, void* dD, void* dz, void* ddelta_bias,
                     void* stream);
VD_HIDDEN int vd_conv1d_cuda_fwd(const vd_conv1d_shape* shape, const void* x, const void* weight, const void* bias, void* out,
                       void* stream);
VD_HIDDEN int vd_conv1d_cuda_bwd(const vd_conv1d_shape* shape, const void* x, const void* weight, const void* bias,
                       const void* dout, void* dx, void* dweight, void* dbias, void* stream);
}

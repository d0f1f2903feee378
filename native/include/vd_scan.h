/* Selective scan (Mamba-1, variable B/C) and depthwise causal conv1d: forward and backward.
 *
 * Device choice: every call carries a `device` field in its shape struct: -1 runs the CPU kernels
 * (`stream` must then be NULL), d >= 0 runs the CUDA kernels on GPU d on `stream` (a cudaStream_t; NULL
 * is the legacy default stream, the one libtorch uses unless told otherwise). The stream alone cannot
 * choose the device, since NULL is also a valid CUDA stream. A build without CUDA answers
 * VD_ERR_UNSUPPORTED for device >= 0.
 *
 * Layouts: "activations" u, delta, z, out (and du, ddelta, dz, dout) are (batch, dim, length) with the
 * element strides given in the shape for batch and dim and a time stride of 1. B, C (and dB, dC) are
 * (batch, groups, dstate, length) with given batch/group/state strides and a time stride of 1. Weights
 * A (dim, dstate), D (dim), delta_bias (dim) and their gradients are contiguous.
 *
 * Element types: activations, B, C and their gradients use `dtype`. Weights use float64 when dtype is
 * VD_FLOAT64 and float32 otherwise. CPU: VD_FLOAT32, VD_FLOAT64, VD_FLOAT16, VD_BFLOAT16. CUDA:
 * VD_FLOAT32, VD_FLOAT16, VD_BFLOAT16. float16/bfloat16 keep the state, the checkpoints and every
 * accumulation in float32 and round once, to nearest even, when they write.
 *
 * Semantics (mamba's selective_scan_ref), per batch b, channel d, group g = d / (dim / groups):
 *   dt_t = delta_t + delta_bias_d; if delta_softplus: dt_t = dt_t <= 20 ? log1p(exp(dt_t)) : dt_t
 *   h_t[n] = exp(dt_t * A[d,n]) * h_{t-1}[n] + dt_t * B[b,g,n,t] * u_t      (h_{-1} = 0)
 *   y_t = sum_n h_t[n] * C[b,g,n,t] + D_d * u_t;  out_t = z ? y_t * silu(z_t) : y_t
 * With `reverse` the recurrence runs from t = length-1 down to 0 (as flip -> scan -> flip would),
 * without flipped copies.
 *
 * In place: the forward's `out` may be `delta` itself (inference, where delta is not needed afterwards: one
 * activation-sized buffer less). Every kernel reads a position's delta before it writes that position's output
 * and never reads it again; no other overlap of outputs and inputs is allowed.
 *
 * Optional pointers (NULL = absent): D, z, delta_bias (forward); the gradients of absent inputs must be
 * NULL too. The backward recomputes the states in chunks; it never allocates a (batch, dim, length, dstate)
 * buffer. dB and dC are written (not accumulated) by a deterministic reduction over channels. */
#ifndef VD_SCAN_H
#define VD_SCAN_H

#include "vimdense.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vd_scan_shape {
  int64_t batch, dim, length, dstate, groups;
  int64_t x_stride_batch, x_stride_dim;                       /* activations; time stride 1 */
  int64_t bc_stride_batch, bc_stride_group, bc_stride_state;  /* B, C, dB, dC; time stride 1 */
  int32_t dtype;          /* enum vd_dtype */
  int32_t delta_softplus; /* 0 or 1 */
  int32_t reverse;        /* 0 or 1 */
  int32_t device;         /* -1 CPU, >= 0 CUDA device index */
} vd_scan_shape;

/* Size in bytes of the optional `checkpoints` buffer: the scan states at chunk starts, written by the
 * forward so that the backward can skip recomputing them (the backward recomputes them when it gets
 * NULL). 0 where the path does not use it (CUDA recomputes on its own); the buffer is opaque. */
VD_API int64_t vd_selective_scan_checkpoint_bytes(const vd_scan_shape* shape);

VD_API int vd_selective_scan_fwd(const vd_scan_shape* shape, const void* u, const void* delta,
                                 const void* A, const void* B, const void* C, const void* D,
                                 const void* z, const void* delta_bias, void* out, void* checkpoints,
                                 void* stream);

VD_API int vd_selective_scan_bwd(const vd_scan_shape* shape, const void* u, const void* delta,
                                 const void* A, const void* B, const void* C, const void* D,
                                 const void* z, const void* delta_bias, const void* dout, void* du,
                                 void* ddelta, void* dA, void* dB, void* dC, void* dD, void* dz,
                                 void* ddelta_bias, const void* checkpoints, void* stream);

/* Depthwise causal conv1d: out[b,d,t] = act(bias[d] + sum_w weight[d,w] * x[b,d,t-(width-1-w)]), zero
 * padded; act = SiLU when `silu`. With `reverse` the convolution is anti-causal (flip -> conv -> flip).
 * x/out/dout/dx follow the activation layout above; weight (dim, width) and bias (dim) are contiguous
 * weights (float64 when dtype is VD_FLOAT64, float32 otherwise). width is 2, 3 or 4. bias/dbias may be NULL. */
typedef struct vd_conv1d_shape {
  int64_t batch, dim, length, width;
  int64_t x_stride_batch, x_stride_dim; /* time stride 1 */
  int32_t dtype, silu, reverse, device;
} vd_conv1d_shape;

VD_API int vd_causal_conv1d_fwd(const vd_conv1d_shape* shape, const void* x, const void* weight,
                                const void* bias, void* out, void* stream);

VD_API int vd_causal_conv1d_bwd(const vd_conv1d_shape* shape, const void* x, const void* weight,
                                const void* bias, const void* dout, void* dx, void* dweight,
                                void* dbias, void* stream);

#ifdef __cplusplus
}
#endif

#endif /* VD_SCAN_H */

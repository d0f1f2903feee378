// Selective scan: the exported C entry points (argument checks, CPU/CUDA dispatch) and the CPU forward.
//
// CPU forward design: OpenMP threads take (batch, channel) rows; each row runs sequentially in time,
// chunk by chunk, and every step updates all states at once (AVX2: one vector per 8 states, see
// scan_steps.h; AVX-512, chosen at run time, one vector for 16 states, see simd_avx512.h) with a polynomial
// exp, so no per-element libm call remains in the hot loop. Inference passes no checkpoints buffer, and then
// nothing is kept for the backward.
// With AVX-512 and 16 states the float forward runs 16 channels per register instead (scan_channel_blocks.h).
// B and C are first rearranged so that one step's states are contiguous (see states_by_step).
#include "cpu/scan_channel_blocks.h"
#include "cpu/scan_cpu.h"
#include "src/common.h"
#ifdef VD_WITH_CUDA
#include "cuda/scan_cuda.h"
#endif
#include <string>
#include <type_traits>

namespace vd::cpu {

template <typename T, typename S>
void scan_forward_cpu(const vd_scan_shape& s, const ScanInputs<T, S>& in, S* out, T* checkpoints) {
#ifdef VD_HAVE_AVX2
  if constexpr (std::is_same_v<T, float>) {
    if (channel_block_width(s) == 16) return scan_forward_channel_blocks<16, S>(s, in, out, checkpoints);
  }
#endif
  const int64_t np = padded_states(s.dstate), L = s.length, per_group = s.dim / s.groups;
  const std::vector<T> b_steps = states_by_step<T>(s, in.B), c_steps = states_by_step<T>(s, in.C);
  const std::vector<T> a_padded = padded_A(s, in.A);
#pragma omp parallel if (worth_parallel(s))
  {
    std::vector<T> h(static_cast<size_t>(np));
    ChunkRow<T> row;
    T y[kChunk];
    // Dynamic: rows are independent, and a thread that the OS deschedules must not hold back the others.
#pragma omp for schedule(dynamic, 4)
    for (int64_t bd = 0; bd < s.batch * s.dim; ++bd) {
      const int64_t b = bd / s.dim, d = bd % s.dim, g = d / per_group;
      const int64_t offset = row_offset(s, b, d);
      const T* a = a_padded.data() + d * np;
      const T* bs = b_steps.data() + (b * s.groups + g) * L * np;
      const T* cs = c_steps.data() + (b * s.groups + g) * L * np;
      const T bias = in.delta_bias ? in.delta_bias[d] : T(0), skip = in.D ? in.D[d] : T(0);
      std::fill(h.begin(), h.end(), T(0));
      T* hp = h.data();
      for (int64_t first = 0; first < L; first += kChunk) {
        if (checkpoints) std::copy(hp, hp + np, checkpoints + (bd * chunk_count(s) + first / kChunk) * np);
        row.load(s, in, offset, first, bias);
        forward_chunk<T>(a, bs + first * np, cs + first * np, row.dt, row.dtu, row.len, hp, y, np);
        finish_row(s, row, in.z != nullptr, skip, offset, first, y, out);
      }
    }
  }
}

}  // namespace vd::cpu

namespace {

int check_shape(const vd_scan_shape* s) {
  using vd::fail;
  if (!s) return fail(VD_ERR_INVALID_ARGUMENT, "shape is NULL");
  if (s->batch < 1 || s->dim < 1 || s->length < 1)
    return fail(VD_ERR_INVALID_ARGUMENT, "batch, dim and length must be >= 1");
  if (s->dstate < 1 || s->dstate > 256)
    return fail(VD_ERR_INVALID_ARGUMENT, "dstate must be in 1..256, got " + std::to_string(s->dstate));
  if (s->groups < 1 || s->dim % s->groups != 0)
    return fail(VD_ERR_INVALID_ARGUMENT, "groups must be >= 1 and divide dim");
  if (s->x_stride_batch < 0 || s->x_stride_dim < 0 || s->bc_stride_batch < 0 || s->bc_stride_group < 0 ||
      s->bc_stride_state < 0)
    return fail(VD_ERR_INVALID_ARGUMENT, "strides must be >= 0");
  if (s->device < -1) return fail(VD_ERR_INVALID_ARGUMENT, "device must be -1 (CPU) or a CUDA index");
  return VD_OK;
}

template <typename T, typename S> vd::cpu::ScanInputs<T, S> typed_inputs(const void* u, const void* delta, const void* A,
                                                                const void* B, const void* C, const void* D,
                                                                const void* z, const void* delta_bias) {
  return {static_cast<const S*>(u), static_cast<const S*>(delta), static_cast<const S*>(B),
          static_cast<const S*>(C), static_cast<const S*>(z), static_cast<const T*>(A),
          static_cast<const T*>(D), static_cast<const T*>(delta_bias)};
}

template <typename T, typename S> vd::cpu::ScanGrads<T, S> typed_grads(void* du, void* ddelta, void* dA, void* dB,
                                                              void* dC, void* dD, void* dz, void* ddelta_bias) {
  return {static_cast<S*>(du), static_cast<S*>(ddelta), static_cast<S*>(dB), static_cast<S*>(dC),
          static_cast<S*>(dz), static_cast<T*>(dA), static_cast<T*>(dD), static_cast<T*>(ddelta_bias)};
}

}  // namespace

extern "C" int64_t vd_selective_scan_checkpoint_bytes(const vd_scan_shape* shape) {
  if (check_shape(shape) != VD_OK || shape->device >= 0) return 0;
  const int64_t element = shape->dtype == VD_FLOAT64 ? 8 : 4;
  return vd::cpu::checkpoint_elements(*shape) * element;
}

extern "C" int vd_selective_scan_fwd(const vd_scan_shape* shape, const void* u, const void* delta,
                                     const void* A, const void* B, const void* C, const void* D,
                                     const void* z, const void* delta_bias, void* out, void* checkpoints,
                                     void* stream) {
  if (int rc = check_shape(shape)) return rc;
  if (!u || !delta || !A || !B || !C || !out)
    return vd::fail(VD_ERR_INVALID_ARGUMENT, "u, delta, A, B, C and out must not be NULL");
  if (shape->device >= 0) {
#ifdef VD_WITH_CUDA
    return vd_scan_cuda_fwd(shape, u, delta, A, B, C, D, z, delta_bias, out, stream);
#else
    return vd::no_cuda_kernels();
#endif
  }
  return vd::cpu::run_on_cpu("selective scan forward", shape->dtype, stream, [&](auto t, auto st) {
    using T = decltype(t);
    using S = decltype(st);
    vd::cpu::scan_forward_cpu(*shape, typed_inputs<T, S>(u, delta, A, B, C, D, z, delta_bias), static_cast<S*>(out),
                              static_cast<T*>(checkpoints));
  });
}

extern "C" int vd_selective_scan_bwd(const vd_scan_shape* shape, const void* u, const void* delta,
                                     const void* A, const void* B, const void* C, const void* D,
                                     const void* z, const void* delta_bias, const void* dout, void* du,
                                     void* ddelta, void* dA, void* dB, void* dC, void* dD, void* dz,
                                     void* ddelta_bias, const void* checkpoints, void* stream) {
  if (int rc = check_shape(shape)) return rc;
  if (!u || !delta || !A || !B || !C || !dout || !du || !ddelta || !dA || !dB || !dC)
    return vd::fail(VD_ERR_INVALID_ARGUMENT, "u, delta, A, B, C, dout, du, ddelta, dA, dB and dC must not be NULL");
  if ((D == nullptr) != (dD == nullptr) || (z == nullptr) != (dz == nullptr) ||
      (delta_bias == nullptr) != (ddelta_bias == nullptr))
    return vd::fail(VD_ERR_INVALID_ARGUMENT, "dD, dz and ddelta_bias must be given exactly when D, z and delta_bias are");
  if (shape->device >= 0) {
#ifdef VD_WITH_CUDA
    return vd_scan_cuda_bwd(shape, u, delta, A, B, C, D, z, delta_bias, dout, du, ddelta, dA, dB, dC, dD, dz,
                            ddelta_bias, stream);
#else
    return vd::no_cuda_kernels();
#endif
  }
  return vd::cpu::run_on_cpu("selective scan backward", shape->dtype, stream, [&](auto t, auto st) {
    using T = decltype(t);
    using S = decltype(st);
    vd::cpu::scan_backward_cpu(*shape, typed_inputs<T, S>(u, delta, A, B, C, D, z, delta_bias),
                               static_cast<const S*>(dout), typed_grads<T, S>(du, ddelta, dA, dB, dC, dD, dz, ddelta_bias),
                               static_cast<const T*>(checkpoints));
  });
}

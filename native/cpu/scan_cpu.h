// Private to the CPU selective scan: typed arguments, scan-order layouts and per-chunk row buffers.
#pragma once
#include "vd_scan.h"
#include "cpu/scan_steps.h"
#include "cpu/storage.h"
#include <algorithm>
#include <cstdint>
#include <vector>

namespace vd::cpu {

// States are padded to a multiple of one AVX2 float vector; the padding has A = 0 and B = C = 0, so its
// state stays exactly zero and adds nothing to y.
constexpr int64_t kLanes = 8;
// Channel blocks of the backward: dB/dC are accumulated per block (blocks are scheduled dynamically), then
// summed in block order, so the result does not depend on the thread count or on which thread ran a block.
constexpr int64_t kMaxChannelBlocks = 16;

inline int64_t padded_states(int64_t n) { return (n + kLanes - 1) / kLanes * kLanes; }

// Below this many state updates (batch * dim * length * padded dstate, ~0.3 ms on one core) the kernels run on
// the calling thread: a parallel region costs a wake-up and barriers. Measured on 2 idle cores (passive OpenMP
// waiting, see OpenMpEnvironment.cs): at batch 2, dim 384, L 197 (2.4M updates) two threads take fwd 1.75 -> 1.0 ms
// and fwd+bwd 5.5 -> 3-3.7 ms; on a machine whose other cores are busy the gain shrinks, the results do not change.
constexpr int64_t kParallelWork = int64_t(1) << 18;
inline bool worth_parallel(const vd_scan_shape& s) {
  return s.batch * s.dim * s.length * padded_states(s.dstate) >= kParallelWork;
}

// Activations, B and C (and their gradients) in the storage type S; weights in the compute type T.
template <typename T, typename S> struct ScanInputs {
  const S *u, *delta, *B, *C, *z;
  const T *A, *D, *delta_bias;
};

template <typename T, typename S> struct ScanGrads {
  S *du, *ddelta, *dB, *dC, *dz;
  T *dA, *dD, *ddelta_bias;
};

// Offset of the (batch b, channel d) row of an activation (u, delta, z, the output and their gradients).
inline int64_t row_offset(const vd_scan_shape& s, int64_t b, int64_t d) {
  return b * s.x_stride_batch + d * s.x_stride_dim;
}

// Memory position of scan step `step`: reverse scans walk time backwards.
inline int64_t time_at(const vd_scan_shape& s, int64_t step) {
  return s.reverse ? s.length - 1 - step : step;
}

// B or C rearranged into scan order [batch][group][step][padded state], zero padded, so that the states
// of one step are contiguous (B's own layout has them `length` apart). Same size as B: no dim factor.
template <typename T, typename S> std::vector<T> states_by_step(const vd_scan_shape& s, const S* src) {
  const int64_t np = padded_states(s.dstate), L = s.length;
  std::vector<T> out(static_cast<size_t>(s.batch * s.groups * L * np), T(0));
  // Serial on purpose: it is dim times smaller than the scan, and a parallel region costs a barrier that
  // a loaded machine can stretch to milliseconds.
  for (int64_t bg = 0; bg < s.batch * s.groups; ++bg)
    for (int64_t n = 0; n < s.dstate; ++n) {
      const int64_t b = bg / s.groups, g = bg % s.groups;
      const S* row = src + b * s.bc_stride_batch + g * s.bc_stride_group + n * s.bc_stride_state;
      T* dst = out.data() + bg * L * np + n;
      for (int64_t step = 0; step < L; ++step) dst[step * np] = widen(row[time_at(s, step)]);
    }
  return out;
}

// A (dim, dstate) padded to (dim, padded state) with zeros.
template <typename T> std::vector<T> padded_A(const vd_scan_shape& s, const T* A) {
  const int64_t np = padded_states(s.dstate);
  std::vector<T> out(static_cast<size_t>(s.dim * np), T(0));
  for (int64_t d = 0; d < s.dim; ++d)
    std::copy(A + d * s.dstate, A + (d + 1) * s.dstate, out.begin() + d * np);
  return out;
}

// One chunk of one (batch, channel) row in scan order, with the per-step scalars every pass needs.
template <typename T> struct ChunkRow {
  T u[kChunk], x[kChunk], dt[kChunk], dtu[kChunk], z[kChunk];
  int64_t len = 0;

  // Reads steps [first, first + len) of the row at `offset` and evaluates dt = softplus(delta + bias).
  // Not distributed into memcpy calls: for at most 64 floats GCC's `rep movsq` costs more than the loop (one Zen
  // core, Vim-Ti rows: forward 11.0 -> 10.6 ns per step).
  template <typename S>
  __attribute__((optimize("no-tree-loop-distribute-patterns")))
  void load(const vd_scan_shape& s, const ScanInputs<T, S>& in, int64_t offset, int64_t first, T bias) {
    len = std::min(kChunk, s.length - first);
    for (int64_t j = 0; j < len; ++j) {
      const int64_t t = offset + time_at(s, first + j);
      u[j] = widen(in.u[t]);
      x[j] = widen(in.delta[t]) + bias;
      if (in.z) z[j] = widen(in.z[t]);
    }
    if (s.delta_softplus)
      softplus_row(x, dt, len);
    else
      std::copy(x, x + len, dt);
    for (int64_t j = 0; j < len; ++j) dtu[j] = dt[j] * u[j];
  }
};

// Advances the state h over the steps of `row` without computing outputs (checkpointing pass).
template <typename T>
inline void advance_states(const ChunkRow<T>& row, const T* a, const T* b_steps, int64_t np, T* h) {
  for (int64_t j = 0; j < row.len; ++j)
    forward_step<T>(a, b_steps + j * np, nullptr, row.dt[j], row.dtu[j], h, h, nullptr, np);
}

inline int64_t chunk_count(const vd_scan_shape& s) { return (s.length + kChunk - 1) / kChunk; }

// Checkpoints: the state entering every chunk of every row, [batch][dim][chunk][padded state].
inline int64_t checkpoint_elements(const vd_scan_shape& s) {
  return s.batch * s.dim * chunk_count(s) * padded_states(s.dstate);
}

// checkpoints (compute type) may be null (not stored / recomputed by the backward).
template <typename T, typename S>
void scan_forward_cpu(const vd_scan_shape& s, const ScanInputs<T, S>& in, S* out, T* checkpoints);
template <typename T, typename S>
void scan_backward_cpu(const vd_scan_shape& s, const ScanInputs<T, S>& in, const S* dout,
                       const ScanGrads<T, S>& grads, const T* checkpoints);

}  // namespace vd::cpu

// The float forward scan vectorised across channels instead of across states: one SIMD register holds one
// state of 8 (AVX2) or 16 (AVX-512) channels, the 16 states of a channel block live in 16 registers, and time
// runs sequentially. Why: the row kernel (registers = the 16 states of one channel) ends every step with a
// horizontal sum over the states (shuffles, a 128-bit tree and a scalar store); here the sum over states is
// plain lane-wise arithmetic on a whole block, with independent recurrences in flight.
//
// Results are bit-identical to the row kernel (scan_steps.h / simd_avx512.h): every lane performs the row
// kernel's per-state sequence (exp8/exp16 of dt * a, fma with dtu * b), and the sum over states is formed in the
// row kernel's order (fma(h_lo, c_lo, h_hi * c_hi), then avx2::hsum8's tree), so switching paths (environment
// variable VD_NO_CHANNEL_BLOCKS, any value) changes speed only. Applies to float compute with 16 (padded) states
// and channel groups made of whole blocks: the Vim/Mamba defaults.
#pragma once
#include "cpu/scan_cpu.h"
#include "cpu/simd_avx512.h"
#include <cstdlib>

namespace vd::cpu {

// What both forward kernels do with one chunk of outputs of one row: add the skip term, gate, store.
template <typename T, typename S>
inline void finish_row(const vd_scan_shape& s, const ChunkRow<T>& row, bool gated, T skip, int64_t offset,
                       int64_t first, T* y, S* out) {
  for (int64_t j = 0; j < row.len; ++j) y[j] += skip * row.u[j];
  if (gated) gate_row(row.z, y, row.len);
  for (int64_t j = 0; j < row.len; ++j) store(out[offset + time_at(s, first + j)], y[j]);
}

#ifdef VD_HAVE_AVX2

// Block width the library uses: 16 with AVX-512F (32 registers hold a block's 16 states and the temporaries);
// 0 (the row kernel) where the shape does not qualify, the path is switched off, or the CPU has AVX2 only: with
// 16 registers the 8-channel block spills, and on 2 Zen AVX2 cores (one thread, loaded machine, best of 15,
// test_scan_channel_blocks_cpu --bench) it took 0.84-0.95x the row kernel's speed at L 197..6085. The 8-wide
// kernel stays for the harness, which checks the block driver on AVX2 machines through it.
// Read on every call (a getenv is nothing next to a scan), so a test can compare both paths in one process.
inline int64_t channel_block_width(const vd_scan_shape& s) {
  const bool fits = padded_states(s.dstate) == 16 && (s.dim / s.groups) % 16 == 0;
  return avx512::enabled && fits && !std::getenv("VD_NO_CHANNEL_BLOCKS") ? 16 : 0;
}

// One chunk of an 8-channel block: h is [state][channel] (kept in registers across the chunk), a_cols[n] holds
// A[., n] of the block, dt/dtu are [step][channel], b/c the shared [step][state] rows; y gets [step][channel].
inline void channel_block_chunk8(const float* a_cols, const float* b, const float* c, const float* dt,
                                 const float* dtu, int64_t len, float* h_mem, float* y) {
  __m256 h[16];
  for (int n = 0; n < 16; ++n) h[n] = _mm256_loadu_ps(h_mem + n * 8);
  for (int64_t j = 0; j < len; ++j) {
    const __m256 vdt = _mm256_loadu_ps(dt + j * 8), vdtu = _mm256_loadu_ps(dtu + j * 8);
    const float* bj = b + j * 16;
    const float* cj = c + j * 16;
#pragma GCC unroll 16
    for (int n = 0; n < 16; ++n) {
      const __m256 e = avx2::exp8(_mm256_mul_ps(vdt, _mm256_loadu_ps(a_cols + n * 8)));
      h[n] = _mm256_fmadd_ps(e, h[n], _mm256_mul_ps(vdtu, _mm256_set1_ps(bj[n])));
    }
    // The row kernel's order: q_i = fma(h_i, c_i, h_{i+8} c_{i+8}), then ((q0+q4)+(q2+q6)) + ((q1+q5)+(q3+q7)).
    __m256 q[8];
#pragma GCC unroll 8
    for (int i = 0; i < 8; ++i)
      q[i] = _mm256_fmadd_ps(h[i], _mm256_set1_ps(cj[i]), _mm256_mul_ps(h[i + 8], _mm256_set1_ps(cj[i + 8])));
    const __m256 s0 = _mm256_add_ps(q[0], q[4]), s1 = _mm256_add_ps(q[1], q[5]);
    const __m256 s2 = _mm256_add_ps(q[2], q[6]), s3 = _mm256_add_ps(q[3], q[7]);
    _mm256_storeu_ps(y + j * 8, _mm256_add_ps(_mm256_add_ps(s0, s2), _mm256_add_ps(s1, s3)));
  }
  for (int n = 0; n < 16; ++n) _mm256_storeu_ps(h_mem + n * 8, h[n]);
}

// The same for a 16-channel block, one AVX-512 register per state.
VD_AVX512 inline void channel_block_chunk16(const float* a_cols, const float* b, const float* c, const float* dt,
                                            const float* dtu, int64_t len, float* h_mem, float* y) {
  __m512 h[16];
  for (int n = 0; n < 16; ++n) h[n] = _mm512_loadu_ps(h_mem + n * 16);
  for (int64_t j = 0; j < len; ++j) {
    const __m512 vdt = _mm512_loadu_ps(dt + j * 16), vdtu = _mm512_loadu_ps(dtu + j * 16);
    const float* bj = b + j * 16;
    const float* cj = c + j * 16;
#pragma GCC unroll 16
    for (int n = 0; n < 16; ++n) {
      const __m512 e = avx512::exp16(_mm512_mul_ps(vdt, _mm512_loadu_ps(a_cols + n * 16)));
      h[n] = _mm512_fmadd_ps(e, h[n], _mm512_mul_ps(vdtu, _mm512_set1_ps(bj[n])));
    }
    __m512 q[8];
#pragma GCC unroll 8
    for (int i = 0; i < 8; ++i)
      q[i] = _mm512_fmadd_ps(h[i], _mm512_set1_ps(cj[i]), _mm512_mul_ps(h[i + 8], _mm512_set1_ps(cj[i + 8])));
    const __m512 s0 = _mm512_add_ps(q[0], q[4]), s1 = _mm512_add_ps(q[1], q[5]);
    const __m512 s2 = _mm512_add_ps(q[2], q[6]), s3 = _mm512_add_ps(q[3], q[7]);
    _mm512_storeu_ps(y + j * 16, _mm512_add_ps(_mm512_add_ps(s0, s2), _mm512_add_ps(s1, s3)));
  }
  for (int n = 0; n < 16; ++n) _mm512_storeu_ps(h_mem + n * 16, h[n]);
}

// The forward over all rows, W channels at a time; same inputs, outputs and checkpoints as scan_forward_cpu.
template <int64_t W, typename S>
void scan_forward_channel_blocks(const vd_scan_shape& s, const ScanInputs<float, S>& in, S* out, float* checkpoints) {
  constexpr int64_t np = 16;
  const int64_t L = s.length, per_group = s.dim / s.groups, blocks = s.dim / W;
  const std::vector<float> b_steps = states_by_step<float>(s, in.B), c_steps = states_by_step<float>(s, in.C);
  const std::vector<float> a_padded = padded_A(s, in.A);
#pragma omp parallel if (worth_parallel(s))
  {
    std::vector<ChunkRow<float>> rows(W);
    alignas(64) float dt[kChunk * W], dtu[kChunk * W], y[kChunk * W], a_cols[np * W], h[np * W];
    float y_row[kChunk];
#pragma omp for schedule(dynamic, 1)
    for (int64_t block = 0; block < s.batch * blocks; ++block) {
      const int64_t b = block / blocks, d0 = (block % blocks) * W, g = d0 / per_group;
      const float* bs = b_steps.data() + (b * s.groups + g) * L * np;
      const float* cs = c_steps.data() + (b * s.groups + g) * L * np;
      for (int64_t lane = 0; lane < W; ++lane)
        for (int64_t n = 0; n < np; ++n) a_cols[n * W + lane] = a_padded[(d0 + lane) * np + n];
      std::fill(h, h + np * W, 0.0f);
      for (int64_t first = 0; first < L; first += kChunk) {
        if (checkpoints)
          for (int64_t lane = 0; lane < W; ++lane)
            for (int64_t n = 0; n < np; ++n)
              checkpoints[((b * s.dim + d0 + lane) * chunk_count(s) + first / kChunk) * np + n] = h[n * W + lane];
        for (int64_t lane = 0; lane < W; ++lane) {
          const int64_t d = d0 + lane;
          rows[lane].load(s, in, row_offset(s, b, d), first, in.delta_bias ? in.delta_bias[d] : 0.0f);
          for (int64_t j = 0; j < rows[lane].len; ++j) {
            dt[j * W + lane] = rows[lane].dt[j];
            dtu[j * W + lane] = rows[lane].dtu[j];
          }
        }
        const int64_t len = rows[0].len;
        if constexpr (W == 16)
          channel_block_chunk16(a_cols, bs + first * np, cs + first * np, dt, dtu, len, h, y);
        else
          channel_block_chunk8(a_cols, bs + first * np, cs + first * np, dt, dtu, len, h, y);
        for (int64_t lane = 0; lane < W; ++lane) {
          const int64_t d = d0 + lane;
          for (int64_t j = 0; j < len; ++j) y_row[j] = y[j * W + lane];
          finish_row(s, rows[lane], in.z != nullptr, in.D ? in.D[d] : 0.0f, row_offset(s, b, d), first, y_row, out);
        }
      }
    }
  }
}

#endif

}  // namespace vd::cpu

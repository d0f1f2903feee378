// The per-step inner loops of the CPU selective scan over the (padded) state vector, in a generic
// version (float64, and float without AVX2) and an explicit AVX2/FMA float version, which hands 16-state
// steps to the AVX-512 versions (same results) when the CPU has AVX-512F. np is a multiple of 8 (see
// kLanes), so the AVX2 loops need no tail.
#pragma once
#include "cpu/scan_math.h"
#include "cpu/simd_avx2.h"
#include "cpu/simd_avx512.h"
#include <cstdint>
#include <type_traits>

namespace vd::cpu {

// Time steps per chunk: rows are processed chunk by chunk through small buffers, and the backward
// recomputes the states of one chunk at a time from a checkpoint taken at the chunk's start.
constexpr int64_t kChunk = 64;

// h_next = exp(dt a) h_prev + dtu b (h_prev may equal h_next); stores the decays when `decay` is not
// null; returns sum(h_next c), or 0 when c is null.
template <typename T>
inline T forward_step(const T* a, const T* b, const T* c, T dt, T dtu, const T* h_prev, T* h_next, T* decay,
                      int64_t np) {
  T acc = T(0);
  for (int64_t n = 0; n < np; ++n) {
    const T e = Math<T>::exp(dt * a[n]);
    if (decay) decay[n] = e;
    h_next[n] = e * h_prev[n] + dtu * b[n];
    if (c) acc += h_next[n] * c[n];
  }
  return acc;
}

// Runs forward_step over `len` steps (B/C rows np apart), writing sum(h c) of every step to y; h is updated.
template <typename T>
inline void forward_chunk(const T* a, const T* b, const T* c, const T* dt, const T* dtu, int64_t len, T* h, T* y,
                          int64_t np) {
  for (int64_t j = 0; j < len; ++j) y[j] = forward_step<T>(a, b + j * np, c + j * np, dt[j], dtu[j], h, h, nullptr, np);
}

// One reverse step of the adjoint: see selective_scan_backward.cpp for the formulas.
template <typename T> struct AdjointStep {
  const T *a, *b, *c, *h, *h_prev, *decay;
  T dy, dt, dtu;
  T *dh, *dA, *dB, *dC;
  // Returns dLoss/d(dt) through the decays and dLoss/d(dtu).
  void run(int64_t np, T& ddt, T& ddtu) const {
    T s_dt = T(0), s_dtu = T(0);
    for (int64_t n = 0; n < np; ++n) {
      const T g = dh[n] + dy * c[n];  // dLoss/dh_t
      dC[n] += dy * h[n];
      dB[n] += g * dtu;
      const T dexp = g * h_prev[n] * decay[n];  // dLoss/d(dt a)
      s_dt += dexp * a[n];
      dA[n] += dexp * dt;
      s_dtu += g * b[n];
      dh[n] = decay[n] * g;
    }
    ddt = s_dt;
    ddtu = s_dtu;
  }
};

// Per-element bodies of the row loops below (the AVX2 versions use them for their tails).
template <typename T> inline T softplus_of(T x) { return vd::softplus<Math<T>>(x); }
template <typename T> inline T sigmoid_of(T x) { return vd::sigmoid<Math<T>>(x); }
// Backward of out = y * silu(z) at one step: dy = go * silu(z), dz = go * y * silu'(z).
template <typename T> inline void gate_backward_at(T z, T go, T y, T& dy, T& dz) {
  const T s = sigmoid_of(z);
  dy = go * z * s;
  dz = go * y * vd::silu_grad(z, s);
}

// dt = softplus(x) (or x), element-wise over a chunk.
template <typename T> inline void softplus_row(const T* x, T* dt, int64_t len) {
  for (int64_t j = 0; j < len; ++j) dt[j] = softplus_of(x[j]);
}
// y *= silu(z), element-wise over a chunk.
template <typename T> inline void gate_row(const T* z, T* y, int64_t len) {
  for (int64_t j = 0; j < len; ++j) y[j] *= vd::silu<Math<T>>(z[j]);
}

template <typename T> inline void gate_backward_row(const T* z, const T* go, const T* y, T* dy, T* dz, int64_t len) {
  for (int64_t j = 0; j < len; ++j) gate_backward_at(z[j], go[j], y[j], dy[j], dz[j]);
}
// ddt *= softplus'(x), element-wise.
template <typename T> inline void softplus_backward_row(const T* x, T* ddt, int64_t len) {
  for (int64_t j = 0; j < len; ++j) ddt[j] *= vd::softplus_grad<Math<T>>(x[j]);
}

#ifdef VD_HAVE_AVX2
template <>
inline void gate_backward_row<float>(const float* z, const float* go, const float* y, float* dy, float* dz, int64_t len) {
  const __m256 one = _mm256_set1_ps(1.0f);
  int64_t j = 0;
  for (; j + 8 <= len; j += 8) {
    const __m256 vz = _mm256_loadu_ps(z + j), vg = _mm256_loadu_ps(go + j), s = avx2::sigmoid8(vz);
    _mm256_storeu_ps(dy + j, _mm256_mul_ps(vg, _mm256_mul_ps(vz, s)));
    const __m256 grad = _mm256_mul_ps(s, _mm256_fmadd_ps(vz, _mm256_sub_ps(one, s), one));
    _mm256_storeu_ps(dz + j, _mm256_mul_ps(_mm256_mul_ps(vg, _mm256_loadu_ps(y + j)), grad));
  }
  for (; j < len; ++j) gate_backward_at(z[j], go[j], y[j], dy[j], dz[j]);
}

template <> inline void softplus_backward_row<float>(const float* x, float* ddt, int64_t len) {
  const __m256 threshold = _mm256_set1_ps(20.0f);
  int64_t j = 0;
  for (; j + 8 <= len; j += 8) {
    const __m256 vx = _mm256_loadu_ps(x + j);
    const __m256 grad = _mm256_blendv_ps(avx2::sigmoid8(vx), _mm256_set1_ps(1.0f), _mm256_cmp_ps(vx, threshold, _CMP_GT_OQ));
    _mm256_storeu_ps(ddt + j, _mm256_mul_ps(_mm256_loadu_ps(ddt + j), grad));
  }
  for (; j < len; ++j) ddt[j] *= vd::softplus_grad<Math<float>>(x[j]);
}

template <>
inline float forward_step<float>(const float* a, const float* b, const float* c, float dt, float dtu,
                                 const float* h_prev, float* h_next, float* decay, int64_t np) {
  if (np == 16 && avx512::enabled) return avx512::forward_step16(a, b, c, dt, dtu, h_prev, h_next, decay);
  const __m256 vdt = _mm256_set1_ps(dt), vdtu = _mm256_set1_ps(dtu);
  __m256 acc = _mm256_setzero_ps();
  for (int64_t n = 0; n < np; n += 8) {
    const __m256 e = avx2::exp8(_mm256_mul_ps(vdt, _mm256_loadu_ps(a + n)));
    if (decay) _mm256_storeu_ps(decay + n, e);
    const __m256 h = _mm256_fmadd_ps(e, _mm256_loadu_ps(h_prev + n), _mm256_mul_ps(vdtu, _mm256_loadu_ps(b + n)));
    _mm256_storeu_ps(h_next + n, h);
    if (c) acc = _mm256_fmadd_ps(h, _mm256_loadu_ps(c + n), acc);
  }
  return avx2::hsum8(acc);
}

// exp(dt_j a) of every step of a chunk, 16 states, into decays ([step][16]): a loop of independent exps.
inline void chunk_decays16(const float* a, const float* dt, int64_t len, float* decays) {
  const __m256 a0 = _mm256_loadu_ps(a), a1 = _mm256_loadu_ps(a + 8);
  for (int64_t j = 0; j < len; ++j) {
    const __m256 vdt = _mm256_set1_ps(dt[j]);
    _mm256_storeu_ps(decays + j * 16, avx2::exp8(_mm256_mul_ps(vdt, a0)));
    _mm256_storeu_ps(decays + j * 16 + 8, avx2::exp8(_mm256_mul_ps(vdt, a1)));
  }
}

// The 16-state recurrence over a chunk whose decays are computed (chunk_decays16): h from h_in, with the state in two
// registers, then written to h_out; y[j] = sum(h_j c_j). The forward (kBackward false) sums the two halves as
// fma(h_lo, c_lo, h_hi * c_hi); the backward's recompute (kBackward true) keeps every step's state in hs and sums as
// forward_step does (low half first, from zero), which is how it has always recomputed y: the two orders differ in
// the last bit, so each keeps its own.
template <bool kBackward>
inline void recurrence16(const float* decays, const float* b, const float* c, const float* dtu, int64_t len,
                         const float* h_in, float* h_out, float* hs, float* y) {
  const __m256 zero = _mm256_setzero_ps();
  __m256 h_lo = _mm256_loadu_ps(h_in), h_hi = _mm256_loadu_ps(h_in + 8);
  for (int64_t j = 0; j < len; ++j) {
    const float* bj = b + j * 16;
    const float* cj = c + j * 16;
    const __m256 vdtu = _mm256_set1_ps(dtu[j]);
    h_lo = _mm256_fmadd_ps(_mm256_loadu_ps(decays + j * 16), h_lo, _mm256_mul_ps(vdtu, _mm256_loadu_ps(bj)));
    h_hi = _mm256_fmadd_ps(_mm256_loadu_ps(decays + j * 16 + 8), h_hi, _mm256_mul_ps(vdtu, _mm256_loadu_ps(bj + 8)));
    if constexpr (kBackward) {
      _mm256_storeu_ps(hs + j * 16, h_lo);
      _mm256_storeu_ps(hs + j * 16 + 8, h_hi);
      y[j] = avx2::hsum8(_mm256_fmadd_ps(h_hi, _mm256_loadu_ps(cj + 8), _mm256_fmadd_ps(h_lo, _mm256_loadu_ps(cj), zero)));
    } else {
      y[j] = avx2::hsum8(_mm256_fmadd_ps(h_lo, _mm256_loadu_ps(cj), _mm256_mul_ps(h_hi, _mm256_loadu_ps(cj + 8))));
    }
  }
  if (h_out) {
    _mm256_storeu_ps(h_out, h_lo);
    _mm256_storeu_ps(h_out + 8, h_hi);
  }
}

// 16 states (the Vim/Mamba default): the state stays in two registers across the chunk instead of making a
// store-to-load round trip through memory every step (that round trip sits on the recurrence's critical path).
// The chunk's decays are computed first, in a loop of independent exps, and the recurrence then only loads them:
// interleaved, the exps (17 vector ops each, most on the two FMA pipes) and the recurrence's chain competed, and
// the loop ran at 9.9 ns per step; split, 7.5 (one Zen core, hot data, the same values).
template <>
inline void forward_chunk<float>(const float* a, const float* b, const float* c, const float* dt, const float* dtu,
                                 int64_t len, float* h, float* y, int64_t np) {
  if (np != 16) {
    for (int64_t j = 0; j < len; ++j) y[j] = forward_step<float>(a, b + j * np, c + j * np, dt[j], dtu[j], h, h, nullptr, np);
    return;
  }
  if (avx512::enabled) return avx512::forward_chunk16(a, b, c, dt, dtu, len, h, y);
  alignas(32) float decays[kChunk * 16];
  chunk_decays16(a, dt, len, decays);
  recurrence16<false>(decays, b, c, dtu, len, h, h, nullptr, y);
}

template <> inline void AdjointStep<float>::run(int64_t np, float& ddt, float& ddtu) const {
  if (np == 16 && avx512::enabled) return avx512::adjoint16(a, b, c, h, h_prev, decay, dy, dt, dtu, dh, dA, dB, dC, ddt, ddtu);
  const __m256 vdy = _mm256_set1_ps(dy), vdt = _mm256_set1_ps(dt), vdtu = _mm256_set1_ps(dtu);
  __m256 s_dt = _mm256_setzero_ps(), s_dtu = _mm256_setzero_ps();
  for (int64_t n = 0; n < np; n += 8) {
    const __m256 g = _mm256_fmadd_ps(vdy, _mm256_loadu_ps(c + n), _mm256_loadu_ps(dh + n));
    _mm256_storeu_ps(dC + n, _mm256_fmadd_ps(vdy, _mm256_loadu_ps(h + n), _mm256_loadu_ps(dC + n)));
    _mm256_storeu_ps(dB + n, _mm256_fmadd_ps(g, vdtu, _mm256_loadu_ps(dB + n)));
    const __m256 e = _mm256_loadu_ps(decay + n);
    const __m256 dexp = _mm256_mul_ps(_mm256_mul_ps(g, _mm256_loadu_ps(h_prev + n)), e);
    s_dt = _mm256_fmadd_ps(dexp, _mm256_loadu_ps(a + n), s_dt);
    _mm256_storeu_ps(dA + n, _mm256_fmadd_ps(dexp, vdt, _mm256_loadu_ps(dA + n)));
    s_dtu = _mm256_fmadd_ps(g, _mm256_loadu_ps(b + n), s_dtu);
    _mm256_storeu_ps(dh + n, _mm256_mul_ps(e, g));
  }
  ddt = avx2::hsum8(s_dt);
  ddtu = avx2::hsum8(s_dtu);
}

// recompute_chunk for 16 states with AVX2: the chunk's decays first, then recurrence16 keeping every state; the same
// operations as forward_step<float>, so the same values.
inline void recompute_chunk16(const float* a, const float* b, const float* c, const float* dt, const float* dtu,
                              int64_t len, const float* h0, float* hs, float* decays, float* acc) {
  chunk_decays16(a, dt, len, decays);
  recurrence16<true>(decays, b, c, dtu, len, h0, nullptr, hs, acc);
}

// adjoint_chunk for 16 states with AVX2: dh and dA stay in registers across the chunk. Through memory, each was a
// load, an FMA and a store every step on a chain from one step to the next. Same operations, in the same order,
// as AdjointStep<float>::run.
inline void adjoint_chunk16(const float* a, const float* b, const float* c, const float* hs, const float* h0,
                            const float* decays, const float* dy, const float* dt, const float* dtu, int64_t len,
                            float* dh, float* dA, float* dB, float* dC, float* ddt, float* ddtu) {
  const __m256 a_lo = _mm256_loadu_ps(a), a_hi = _mm256_loadu_ps(a + 8), zero = _mm256_setzero_ps();
  __m256 dh_lo = _mm256_loadu_ps(dh), dh_hi = _mm256_loadu_ps(dh + 8);
  __m256 dA_lo = _mm256_loadu_ps(dA), dA_hi = _mm256_loadu_ps(dA + 8);
  for (int64_t j = len - 1; j >= 0; --j) {
    const __m256 vdy = _mm256_set1_ps(dy[j]), vdt = _mm256_set1_ps(dt[j]), vdtu = _mm256_set1_ps(dtu[j]);
    const float* bj = b + j * 16;
    const float* cj = c + j * 16;
    const float* hj = hs + j * 16;
    const float* prev = j ? hs + (j - 1) * 16 : h0;
    const float* ej = decays + j * 16;
    float* dBj = dB + j * 16;
    float* dCj = dC + j * 16;
    // One half of the 16 states; s_dt and s_dtu run over the halves in order, as the loop over n does.
    auto half = [&](int64_t n, __m256 a_n, __m256& dh_n, __m256& dA_n, __m256& s_dt, __m256& s_dtu) {
      const __m256 g = _mm256_fmadd_ps(vdy, _mm256_loadu_ps(cj + n), dh_n);
      _mm256_storeu_ps(dCj + n, _mm256_fmadd_ps(vdy, _mm256_loadu_ps(hj + n), _mm256_loadu_ps(dCj + n)));
      _mm256_storeu_ps(dBj + n, _mm256_fmadd_ps(g, vdtu, _mm256_loadu_ps(dBj + n)));
      const __m256 e = _mm256_loadu_ps(ej + n);
      const __m256 dexp = _mm256_mul_ps(_mm256_mul_ps(g, _mm256_loadu_ps(prev + n)), e);
      s_dt = _mm256_fmadd_ps(dexp, a_n, s_dt);
      dA_n = _mm256_fmadd_ps(dexp, vdt, dA_n);
      s_dtu = _mm256_fmadd_ps(g, _mm256_loadu_ps(bj + n), s_dtu);
      dh_n = _mm256_mul_ps(e, g);
    };
    __m256 s_dt = zero, s_dtu = zero;
    half(0, a_lo, dh_lo, dA_lo, s_dt, s_dtu);
    half(8, a_hi, dh_hi, dA_hi, s_dt, s_dtu);
    ddt[j] = avx2::hsum8(s_dt);
    ddtu[j] = avx2::hsum8(s_dtu);
  }
  _mm256_storeu_ps(dh, dh_lo);
  _mm256_storeu_ps(dh + 8, dh_hi);
  _mm256_storeu_ps(dA, dA_lo);
  _mm256_storeu_ps(dA + 8, dA_hi);
}

template <> inline void softplus_row<float>(const float* x, float* dt, int64_t len) {
  int64_t j = 0;
  for (; j + 8 <= len; j += 8) _mm256_storeu_ps(dt + j, avx2::softplus8(_mm256_loadu_ps(x + j)));
  for (; j < len; ++j) dt[j] = softplus_of(x[j]);
}

template <> inline void gate_row<float>(const float* z, float* y, int64_t len) {
  int64_t j = 0;
  for (; j + 8 <= len; j += 8) {
    const __m256 vz = _mm256_loadu_ps(z + j);
    _mm256_storeu_ps(y + j, _mm256_mul_ps(_mm256_loadu_ps(y + j), _mm256_mul_ps(vz, avx2::sigmoid8(vz))));
  }
  for (; j < len; ++j) y[j] *= vd::silu<Math<float>>(z[j]);
}
#endif

// The backward's recompute of one chunk: forward_step over `len` steps from the state h0 entering the chunk,
// keeping every step's state (hs, [step][np]) and decays, and writing sum(h c) of every step to acc.
template <typename T>
inline void recompute_chunk(const T* a, const T* b, const T* c, const T* dt, const T* dtu, int64_t len, const T* h0,
                            T* hs, T* decays, T* acc, int64_t np) {
#ifdef VD_HAVE_AVX2
  if constexpr (std::is_same_v<T, float>)
    if (np == 16 && !avx512::enabled) return recompute_chunk16(a, b, c, dt, dtu, len, h0, hs, decays, acc);
#endif
  for (int64_t j = 0; j < len; ++j)
    acc[j] = forward_step<T>(a, b + j * np, c + j * np, dt[j], dtu[j], j ? hs + (j - 1) * np : h0, hs + j * np,
                             decays + j * np, np);
}

// The adjoint over one recomputed chunk, last step first: AdjointStep at every step, dh carried in and out, dA
// accumulated; ddt[j] and ddtu[j] get the step's sums. dB and dC are the chunk's rows ([step][np]).
template <typename T>
inline void adjoint_chunk(const T* a, const T* b, const T* c, const T* hs, const T* h0, const T* decays, const T* dy,
                          const T* dt, const T* dtu, int64_t len, T* dh, T* dA, T* dB, T* dC, T* ddt, T* ddtu, int64_t np) {
#ifdef VD_HAVE_AVX2
  if constexpr (std::is_same_v<T, float>)
    if (np == 16 && !avx512::enabled) return adjoint_chunk16(a, b, c, hs, h0, decays, dy, dt, dtu, len, dh, dA, dB, dC, ddt, ddtu);
#endif
  for (int64_t j = len - 1; j >= 0; --j) {
    const AdjointStep<T> step{a, b + j * np, c + j * np, hs + j * np, j ? hs + (j - 1) * np : h0, decays + j * np,
                              dy[j], dt[j], dtu[j], dh, dA, dB + j * np, dC + j * np};
    step.run(np, ddt[j], ddtu[j]);
  }
}

}  // namespace vd::cpu

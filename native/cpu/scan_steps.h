// The per-step inner loops of the CPU selective scan over the (padded) state vector, in a generic
// version (float64, and float without AVX2) and an explicit AVX2/FMA float version, which hands 16-state
// steps to the AVX-512 versions (same results) when the CPU has AVX-512F. np is a multiple of 8 (see
// kLanes), so the AVX2 loops need no tail.
#pragma once
#include "cpu/scan_math.h"
#include "cpu/simd_avx2.h"
#include "cpu/simd_avx512.h"
#include <cstdint>

namespace vd::cpu {

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

// 16 states (the Vim/Mamba default): the state stays in two registers across the chunk instead of making a
// store-to-load round trip through memory every step (that round trip sits on the recurrence's critical path).
template <>
inline void forward_chunk<float>(const float* a, const float* b, const float* c, const float* dt, const float* dtu,
                                 int64_t len, float* h, float* y, int64_t np) {
  if (np != 16) {
    for (int64_t j = 0; j < len; ++j) y[j] = forward_step<float>(a, b + j * np, c + j * np, dt[j], dtu[j], h, h, nullptr, np);
    return;
  }
  if (avx512::enabled) return avx512::forward_chunk16(a, b, c, dt, dtu, len, h, y);
  const __m256 a0 = _mm256_loadu_ps(a), a1 = _mm256_loadu_ps(a + 8);
  __m256 h0 = _mm256_loadu_ps(h), h1 = _mm256_loadu_ps(h + 8);
  for (int64_t j = 0; j < len; ++j) {
    const float* bj = b + j * 16;
    const float* cj = c + j * 16;
    const __m256 vdt = _mm256_set1_ps(dt[j]), vdtu = _mm256_set1_ps(dtu[j]);
    const __m256 e0 = avx2::exp8(_mm256_mul_ps(vdt, a0)), e1 = avx2::exp8(_mm256_mul_ps(vdt, a1));
    h0 = _mm256_fmadd_ps(e0, h0, _mm256_mul_ps(vdtu, _mm256_loadu_ps(bj)));
    h1 = _mm256_fmadd_ps(e1, h1, _mm256_mul_ps(vdtu, _mm256_loadu_ps(bj + 8)));
    y[j] = avx2::hsum8(_mm256_fmadd_ps(h0, _mm256_loadu_ps(cj), _mm256_mul_ps(h1, _mm256_loadu_ps(cj + 8))));
  }
  _mm256_storeu_ps(h, h0);
  _mm256_storeu_ps(h + 8, h1);
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

}  // namespace vd::cpu

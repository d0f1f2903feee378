// AVX-512F versions of the 16-state scan steps (the Vim/Mamba default dstate): one register holds all 16
// states, so a step needs one exp polynomial instead of two. Compiled into the AVX2 build through target
// attributes and chosen at run time (has_avx512()), so the library still loads on AVX2-only CPUs.
//
// Results are bit-identical to the AVX2 code in scan_steps.h: the per-state arithmetic is the same
// lane-wise sequence (exp16 is avx2::exp8 on 16 lanes), and the sums over states are formed in the AVX2
// order (the two 8-state halves combined as the AVX2 code combines its two registers, then avx2's 8-lane
// tree), so a model gives the same numbers on either kind of CPU.
#pragma once
#include "cpu/simd_avx2.h"
#if defined(VD_HAVE_AVX2)
#define VD_HAVE_AVX512 1
#include <cstdint>
#include <cstdlib>

#define VD_AVX512 __attribute__((target("avx512f,avx2,fma")))

namespace vd::cpu::avx512 {

// Whether the CPU (and OS) can run AVX-512F; the environment variable VD_NO_AVX512 (any value) turns the
// path off, to compare the two paths or to rule this one out.
inline bool detect() {
  if (std::getenv("VD_NO_AVX512")) return false;
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f");
}
// Decided once at load; the harness switches it to run both paths in one process.
inline bool enabled = detect();

VD_AVX512 inline __m512 exp16(__m512 x) {
  using namespace cephes;
  x = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(kExpMin)), _mm512_set1_ps(kExpMax));
  const __m512 k = _mm512_roundscale_ps(_mm512_fmadd_ps(x, _mm512_set1_ps(kLog2e), _mm512_set1_ps(0.5f)),
                                        _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(k, _mm512_set1_ps(kLn2Hi), x);
  r = _mm512_fnmadd_ps(k, _mm512_set1_ps(kLn2Lo), r);
  __m512 p = _mm512_set1_ps(kExpPoly[0]);
  for (int i = 1; i < 6; ++i) p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(kExpPoly[i]));
  p = _mm512_fmadd_ps(_mm512_mul_ps(p, r), r, _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
  const __m512i e = _mm512_slli_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(k), _mm512_set1_epi32(127)), 23);
  return _mm512_mul_ps(p, _mm512_castsi512_ps(e));
}

// States 8-15 moved into lanes 0-7.
VD_AVX512 inline __m512 upper_half(__m512 v) { return _mm512_shuffle_f32x4(v, v, _MM_SHUFFLE(3, 2, 3, 2)); }

// sum_n x[n] y[n] over 16 lanes in the order of AVX2's forward_chunk: fma(x_lo, y_lo, x_hi * y_hi), then hsum8.
VD_AVX512 inline float dot16_chunk_order(__m512 x, __m512 y) {
  const __m512 high = _mm512_mul_ps(upper_half(x), upper_half(y));
  return avx2::hsum8(_mm512_castps512_ps256(_mm512_fmadd_ps(x, y, high)));
}
// The order of AVX2's loops over 8-state blocks, which accumulate from zero: fma(x_hi, y_hi, fma(x_lo, y_lo, 0)).
VD_AVX512 inline __m512 sum16_loop_order(__m512 x, __m512 y) {
  return _mm512_fmadd_ps(upper_half(x), upper_half(y), _mm512_fmadd_ps(x, y, _mm512_setzero_ps()));
}

// forward_chunk<float> for np == 16: h stays in one register across the chunk.
VD_AVX512 inline void forward_chunk16(const float* a, const float* b, const float* c, const float* dt, const float* dtu,
                                      int64_t len, float* h, float* y) {
  const __m512 va = _mm512_loadu_ps(a);
  __m512 vh = _mm512_loadu_ps(h);
  for (int64_t j = 0; j < len; ++j) {
    const __m512 e = exp16(_mm512_mul_ps(_mm512_set1_ps(dt[j]), va));
    vh = _mm512_fmadd_ps(e, vh, _mm512_mul_ps(_mm512_set1_ps(dtu[j]), _mm512_loadu_ps(b + j * 16)));
    y[j] = dot16_chunk_order(vh, _mm512_loadu_ps(c + j * 16));
  }
  _mm512_storeu_ps(h, vh);
}

// forward_step<float> for np == 16.
VD_AVX512 inline float forward_step16(const float* a, const float* b, const float* c, float dt, float dtu,
                                      const float* h_prev, float* h_next, float* decay) {
  const __m512 e = exp16(_mm512_mul_ps(_mm512_set1_ps(dt), _mm512_loadu_ps(a)));
  if (decay) _mm512_storeu_ps(decay, e);
  const __m512 h = _mm512_fmadd_ps(e, _mm512_loadu_ps(h_prev), _mm512_mul_ps(_mm512_set1_ps(dtu), _mm512_loadu_ps(b)));
  _mm512_storeu_ps(h_next, h);
  return c ? avx2::hsum8(_mm512_castps512_ps256(sum16_loop_order(h, _mm512_loadu_ps(c)))) : 0.0f;
}

// AdjointStep<float>::run for np == 16 (see scan_steps.h for the formulas).
VD_AVX512 inline void adjoint16(const float* a, const float* b, const float* c, const float* h, const float* h_prev,
                                const float* decay, float dy, float dt, float dtu, float* dh, float* dA, float* dB,
                                float* dC, float& ddt, float& ddtu) {
  const __m512 vdy = _mm512_set1_ps(dy), vdt = _mm512_set1_ps(dt), vdtu = _mm512_set1_ps(dtu);
  const __m512 g = _mm512_fmadd_ps(vdy, _mm512_loadu_ps(c), _mm512_loadu_ps(dh));
  _mm512_storeu_ps(dC, _mm512_fmadd_ps(vdy, _mm512_loadu_ps(h), _mm512_loadu_ps(dC)));
  _mm512_storeu_ps(dB, _mm512_fmadd_ps(g, vdtu, _mm512_loadu_ps(dB)));
  const __m512 e = _mm512_loadu_ps(decay);
  const __m512 dexp = _mm512_mul_ps(_mm512_mul_ps(g, _mm512_loadu_ps(h_prev)), e);
  _mm512_storeu_ps(dA, _mm512_fmadd_ps(dexp, vdt, _mm512_loadu_ps(dA)));
  _mm512_storeu_ps(dh, _mm512_mul_ps(e, g));
  ddt = avx2::hsum8(_mm512_castps512_ps256(sum16_loop_order(dexp, _mm512_loadu_ps(a))));
  ddtu = avx2::hsum8(_mm512_castps512_ps256(sum16_loop_order(g, _mm512_loadu_ps(b))));
}

}  // namespace vd::cpu::avx512
#endif

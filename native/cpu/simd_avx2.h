// AVX2/FMA versions of the float math in scan_math.h and src/elementwise.h (same Cephes polynomials and
// formulas), 8 lanes at a time; test_elementwise_cpu checks them against the scalar ones.
// GCC does not reliably vectorise the generic loops (it versions them for aliasing and may pick the
// scalar copy), so the hot loops of the float kernels call these explicitly. Only compiled when the
// target has AVX2 and FMA (CMake enables them on x86-64); the generic loops remain the fallback.
#pragma once
#include "cpu/scan_math.h"
#if defined(__AVX2__) && defined(__FMA__)
#define VD_HAVE_AVX2 1
// GCC 12's AVX-512 intrinsics self-initialise their "undefined" pass-through operands, which its own
// -Wuninitialized reports wherever they are inlined (GCC bug 105593); the diagnostics are silenced for
// that header only.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop

namespace vd::cpu::avx2 {

inline __m256 exp8(__m256 x) {
  using namespace cephes;
  x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(kExpMin)), _mm256_set1_ps(kExpMax));
  const __m256 k = _mm256_floor_ps(_mm256_fmadd_ps(x, _mm256_set1_ps(kLog2e), _mm256_set1_ps(0.5f)));
  __m256 r = _mm256_fnmadd_ps(k, _mm256_set1_ps(kLn2Hi), x);
  r = _mm256_fnmadd_ps(k, _mm256_set1_ps(kLn2Lo), r);
  __m256 p = _mm256_set1_ps(kExpPoly[0]);
  for (int i = 1; i < 6; ++i) p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(kExpPoly[i]));
  p = _mm256_fmadd_ps(_mm256_mul_ps(p, r), r, _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
  const __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(k), _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(p, _mm256_castsi256_ps(e));
}

// log(x) for positive normal x.
inline __m256 log8(__m256 x) {
  using namespace cephes;
  const __m256i bits = _mm256_castps_si256(x);
  __m256 e = _mm256_cvtepi32_ps(
      _mm256_sub_epi32(_mm256_and_si256(_mm256_srli_epi32(bits, 23), _mm256_set1_epi32(0xff)), _mm256_set1_epi32(127)));
  __m256 m = _mm256_castsi256_ps(
      _mm256_or_si256(_mm256_and_si256(bits, _mm256_set1_epi32(0x007fffff)), _mm256_set1_epi32(0x3f800000)));
  const __m256 high = _mm256_cmp_ps(m, _mm256_set1_ps(kSqrtHalf2), _CMP_GT_OQ);
  m = _mm256_blendv_ps(m, _mm256_mul_ps(m, _mm256_set1_ps(0.5f)), high);
  e = _mm256_add_ps(e, _mm256_and_ps(high, _mm256_set1_ps(1.0f)));
  const __m256 f = _mm256_sub_ps(m, _mm256_set1_ps(1.0f)), f2 = _mm256_mul_ps(f, f);
  __m256 y = _mm256_set1_ps(kLogPoly[0]);
  for (int i = 1; i < 9; ++i) y = _mm256_fmadd_ps(y, f, _mm256_set1_ps(kLogPoly[i]));
  y = _mm256_mul_ps(_mm256_mul_ps(y, f), f2);
  y = _mm256_fmadd_ps(e, _mm256_set1_ps(kLn2Lo), y);
  y = _mm256_fnmadd_ps(f2, _mm256_set1_ps(0.5f), y);
  return _mm256_fmadd_ps(e, _mm256_set1_ps(kLn2Hi), _mm256_add_ps(f, y));
}

// Same as vd::softplus<Math<float>> (src/elementwise.h): log1p(exp(x)) below the threshold 20, x above.
inline __m256 softplus8(__m256 x) {
  const __m256 threshold = _mm256_set1_ps(20.0f), one = _mm256_set1_ps(1.0f);
  const __m256 e = exp8(_mm256_min_ps(x, threshold));
  const __m256 u = _mm256_add_ps(one, e);
  const __m256 l = _mm256_mul_ps(log8(u), _mm256_div_ps(e, _mm256_sub_ps(u, one)));
  const __m256 l1p = _mm256_blendv_ps(l, e, _mm256_cmp_ps(u, one, _CMP_EQ_OQ));
  return _mm256_blendv_ps(l1p, x, _mm256_cmp_ps(x, threshold, _CMP_GT_OQ));
}

inline __m256 sigmoid8(__m256 x) {
  const __m256 one = _mm256_set1_ps(1.0f);
  return _mm256_div_ps(one, _mm256_add_ps(one, exp8(_mm256_sub_ps(_mm256_setzero_ps(), x))));
}

inline float hsum8(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

}  // namespace vd::cpu::avx2
#endif

// Math backends of the CPU scan/conv kernels for the shared activations in src/elementwise.h. float:
// polynomial exp/log without branches or library calls, so that `#pragma omp simd` loops vectorise
// them (cpu/simd_avx2.h has the same polynomials 8 lanes wide). float64 uses the C library (it exists for
// gradient checks, not for speed).
#pragma once
#include "src/elementwise.h"
#include <cmath>
#include <cstdint>

namespace vd::cpu {

// exp(x) within ~2 ulp (Cephes expf polynomial); inputs are clamped to [-87.3, 88.7], so very negative
// arguments give ~1e-38 instead of 0, which no caller can tell apart. Every step is written as the
// fused multiply-add or plain operation that avx2::exp8 uses, so the two agree bit for bit (left to
// itself the compiler contracts a * b + c in some places and not in others).
inline float exp_fast(float x) {
  x = x < -87.3f ? -87.3f : (x > 88.7f ? 88.7f : x);
  const float k = std::floor(std::fma(x, 1.44269504088896341f, 0.5f));
  float r = std::fma(-k, 0.693359375f, x);
  r = std::fma(k, 2.12194440e-4f, r);
  float p = 1.9875691500e-4f;
  p = std::fma(p, r, 1.3981999507e-3f);
  p = std::fma(p, r, 8.3334519073e-3f);
  p = std::fma(p, r, 4.1665795894e-2f);
  p = std::fma(p, r, 1.6666665459e-1f);
  p = std::fma(p, r, 5.0000001201e-1f);
  p = std::fma(p * r, r, r + 1.0f);
  return p * bits_as_float(static_cast<uint32_t>(static_cast<int32_t>(k) + 127) << 23);
}

// log(x) for positive normal x (Cephes logf polynomial), in avx2::log8's order of operations.
inline float log_fast(float x) {
  const uint32_t bits = float_as_bits(x);
  float e = static_cast<float>(static_cast<int32_t>((bits >> 23) & 0xff) - 127);
  float m = bits_as_float((bits & 0x007fffff) | 0x3f800000);  // mantissa in [1, 2)
  const bool high = m > 1.41421356f;
  m = high ? m * 0.5f : m;
  e = high ? e + 1.0f : e;
  const float f = m - 1.0f, f2 = f * f;
  float y = 7.0376836292e-2f;
  y = std::fma(y, f, -1.1514610310e-1f);
  y = std::fma(y, f, 1.1676998740e-1f);
  y = std::fma(y, f, -1.2420140846e-1f);
  y = std::fma(y, f, 1.4249322787e-1f);
  y = std::fma(y, f, -1.6668057665e-1f);
  y = std::fma(y, f, 2.0000714765e-1f);
  y = std::fma(y, f, -2.4999993993e-1f);
  y = std::fma(y, f, 3.3333331174e-1f);
  y = (y * f) * f2;
  y = std::fma(e, -2.12194440e-4f, y);
  y = std::fma(-f2, 0.5f, y);
  return std::fma(e, 0.693359375f, f + y);
}

template <typename T> struct Math;

template <> struct Math<float> {
  static float exp(float x) { return exp_fast(x); }
  // log1p(e) as log(1+e) * e / ((1+e) - 1), which keeps full relative precision for tiny e.
  static float log1p(float e) {
    const float u = 1.0f + e;
    return u == 1.0f ? e : log_fast(u) * (e / (u - 1.0f));
  }
};

template <> struct Math<double> {
  static double exp(double x) { return std::exp(x); }
  static double log1p(double x) { return std::log1p(x); }
};

}  // namespace vd::cpu

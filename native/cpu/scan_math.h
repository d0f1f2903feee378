// Math backends of the CPU scan/conv kernels for the shared activations in src/elementwise.h. float:
// polynomial exp/log without branches or library calls, so that `#pragma omp simd` loops vectorise
// them (cpu/simd_avx2.h has the same polynomials 8 lanes wide). float64 uses the C library (it exists for
// gradient checks, not for speed).
#pragma once
#include "src/elementwise.h"
#include <cmath>
#include <cstdint>

namespace vd::cpu {

// The Cephes expf/logf constants, shared by the scalar versions below and the SIMD ones (simd_avx2.h,
// simd_avx512.h), which evaluate the same polynomials lane-wise.
namespace cephes {
constexpr float kExpMin = -87.3f, kExpMax = 88.7f, kLog2e = 1.44269504088896341f;
constexpr float kLn2Hi = 0.693359375f, kLn2Lo = -2.12194440e-4f;  // ln 2 = kLn2Hi + kLn2Lo
constexpr float kExpPoly[6] = {1.9875691500e-4f, 1.3981999507e-3f, 8.3334519073e-3f,
                               4.1665795894e-2f, 1.6666665459e-1f, 5.0000001201e-1f};
constexpr float kSqrtHalf2 = 1.41421356f;  // mantissas above it are halved (logf's range reduction)
constexpr float kLogPoly[9] = {7.0376836292e-2f, -1.1514610310e-1f, 1.1676998740e-1f,
                               -1.2420140846e-1f, 1.4249322787e-1f, -1.6668057665e-1f,
                               2.0000714765e-1f,  -2.4999993993e-1f, 3.3333331174e-1f};
}  // namespace cephes

// exp(x) within ~2 ulp (Cephes expf polynomial); inputs are clamped to [-87.3, 88.7], so very negative
// arguments give ~1e-38 instead of 0, which no caller can tell apart. Every step is written as the
// fused multiply-add or plain operation that avx2::exp8 uses, so the two agree bit for bit (left to
// itself the compiler contracts a * b + c in some places and not in others).
inline float exp_fast(float x) {
  using namespace cephes;
  x = x < kExpMin ? kExpMin : (x > kExpMax ? kExpMax : x);
  const float k = std::floor(std::fma(x, kLog2e, 0.5f));
  float r = std::fma(-k, kLn2Hi, x);
  r = std::fma(-k, kLn2Lo, r);
  float p = kExpPoly[0];
  for (int i = 1; i < 6; ++i) p = std::fma(p, r, kExpPoly[i]);
  p = std::fma(p * r, r, r + 1.0f);
  return p * bits_as_float(static_cast<uint32_t>(static_cast<int32_t>(k) + 127) << 23);
}

// log(x) for positive normal x (Cephes logf polynomial), in avx2::log8's order of operations.
inline float log_fast(float x) {
  using namespace cephes;
  const uint32_t bits = float_as_bits(x);
  float e = static_cast<float>(static_cast<int32_t>((bits >> 23) & 0xff) - 127);
  float m = bits_as_float((bits & 0x007fffff) | 0x3f800000);  // mantissa in [1, 2)
  const bool high = m > kSqrtHalf2;
  m = high ? m * 0.5f : m;
  e = high ? e + 1.0f : e;
  const float f = m - 1.0f, f2 = f * f;
  float y = kLogPoly[0];
  for (int i = 1; i < 9; ++i) y = std::fma(y, f, kLogPoly[i]);
  y = (y * f) * f2;
  y = std::fma(e, kLn2Lo, y);
  y = std::fma(-f2, 0.5f, y);
  return std::fma(e, kLn2Hi, f + y);
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

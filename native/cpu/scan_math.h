// Element-wise math for the CPU scan/conv kernels, written without branches or library calls for
// float so that `#pragma omp simd` loops vectorise them (AVX2/FMA when CMake enables it, plain SSE or
// scalar otherwise). float64 uses the C library (it exists for gradient checks, not for speed).
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>

namespace vd::cpu {

inline float bits_to_float(int32_t i) {
  float f;
  std::memcpy(&f, &i, sizeof f);
  return f;
}
inline int32_t float_to_bits(float f) {
  int32_t i;
  std::memcpy(&i, &f, sizeof i);
  return i;
}

// exp(x) within ~2 ulp (Cephes expf polynomial); inputs are clamped to [-87.3, 88.7], so very negative
// arguments give ~1e-38 instead of 0, which no caller can tell apart.
inline float exp_fast(float x) {
  x = x < -87.3f ? -87.3f : (x > 88.7f ? 88.7f : x);
  const float k = std::floor(x * 1.44269504088896341f + 0.5f);
  const float r = x - k * 0.693359375f + k * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  return p * bits_to_float((static_cast<int32_t>(k) + 127) << 23);
}

// log(x) for positive normal x (Cephes logf polynomial).
inline float log_fast(float x) {
  const int32_t bits = float_to_bits(x);
  float e = static_cast<float>(((bits >> 23) & 0xff) - 127);
  float m = bits_to_float((bits & 0x007fffff) | 0x3f800000);  // mantissa in [1, 2)
  const bool high = m > 1.41421356f;
  m = high ? m * 0.5f : m;
  e = high ? e + 1.0f : e;
  const float f = m - 1.0f, f2 = f * f;
  float y = 7.0376836292e-2f;
  y = y * f - 1.1514610310e-1f;
  y = y * f + 1.1676998740e-1f;
  y = y * f - 1.2420140846e-1f;
  y = y * f + 1.4249322787e-1f;
  y = y * f - 1.6668057665e-1f;
  y = y * f + 2.0000714765e-1f;
  y = y * f - 2.4999993993e-1f;
  y = y * f + 3.3333331174e-1f;
  y = y * f * f2 - 2.12194440e-4f * e - 0.5f * f2;
  return f + y + 0.693359375f * e;
}

template <typename T> struct Math;

template <> struct Math<float> {
  static float exp(float x) { return exp_fast(x); }
  // log1p(exp(x)) with mamba's threshold: x itself above 20. log1p(e) is evaluated as
  // log(1+e) * e / ((1+e) - 1), which keeps full relative precision for tiny e.
  static float softplus(float x) {
    const float e = exp_fast(x < 20.0f ? x : 20.0f);
    const float u = 1.0f + e;
    const float l = u == 1.0f ? e : log_fast(u) * (e / (u - 1.0f));
    return x <= 20.0f ? l : x;
  }
  static float sigmoid(float x) { return 1.0f / (1.0f + exp_fast(-x)); }
};

template <> struct Math<double> {
  static double exp(double x) { return std::exp(x); }
  static double softplus(double x) { return x <= 20.0 ? std::log1p(std::exp(x)) : x; }
  static double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
};

// Derivative of softplus (with the threshold) at the pre-activation x.
template <typename T> inline T softplus_grad(T x) { return x <= T(20) ? Math<T>::sigmoid(x) : T(1); }
// silu'(z) = s (1 + z (1 - s)), s = sigmoid(z).
template <typename T> inline T silu_grad(T z, T s) { return s * (T(1) + z * (T(1) - s)); }

}  // namespace vd::cpu

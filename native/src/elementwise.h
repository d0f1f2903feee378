// Per-element math shared by the CPU (C++) and CUDA kernels, so that both follow one definition:
// mamba's softplus (threshold 20), sigmoid, SiLU and their derivatives, torchvision's RoIAlign
// geometry and bilinear sampling, and float16/bfloat16 <-> float32 conversions.
//
// The activations take a math backend M with static M::exp(T) and M::log1p(T): the CPU float kernels
// pass polynomial versions that vectorise (cpu/scan_math.h), float64 and CUDA the library functions.
// The SIMD versions (cpu/simd_*.h) repeat these formulas lane-wise; test_elementwise_cpu checks them
// against the ones here.
#pragma once
#include <math.h>
#include <stdint.h>
#include <string.h>

#if defined(__CUDACC__)
#define VD_HOST_DEVICE __host__ __device__
#else
#define VD_HOST_DEVICE
#endif

namespace vd {

// softplus(x) = log1p(exp(x)) up to the threshold, x itself above it (mamba's selective_scan_ref).
constexpr float kSoftplusThreshold = 20.0f;

// Evaluated branch-free (the exp argument is clamped) so that loops over it vectorise; equal to
// x <= 20 ? log1p(exp(x)) : x.
template <typename M, typename T> VD_HOST_DEVICE inline T softplus(T x) {
  const T threshold = T(kSoftplusThreshold);
  const T l = M::log1p(M::exp(x < threshold ? x : threshold));
  return x <= threshold ? l : x;
}
template <typename M, typename T> VD_HOST_DEVICE inline T sigmoid(T x) { return T(1) / (T(1) + M::exp(-x)); }
// d softplus / dx at the pre-activation x (1 above the threshold, where softplus is the identity).
template <typename M, typename T> VD_HOST_DEVICE inline T softplus_grad(T x) {
  return x <= T(kSoftplusThreshold) ? sigmoid<M>(x) : T(1);
}
template <typename M, typename T> VD_HOST_DEVICE inline T silu(T x) { return x * sigmoid<M>(x); }
// silu'(z) = s (1 + z (1 - s)) with s = sigmoid(z) (passed in: callers have it already).
template <typename T> VD_HOST_DEVICE inline T silu_grad(T z, T s) { return s * (T(1) + z * (T(1) - s)); }

// ---- RoIAlign (torchvision roi_align semantics, reference/dense_prediction.md §7.1) ----

VD_HOST_DEVICE inline float ceil_of(float x) { return ceilf(x); }
VD_HOST_DEVICE inline double ceil_of(double x) { return ceil(x); }

// One bilinear sample: four neighbour offsets into an H x W plane and their weights. Samples beyond one
// pixel outside the map have `inside` false and all weights (and offsets) zero.
template <typename T> struct Bilinear {
  int64_t pos[4];
  T weight[4];
  bool inside;
};

// torchvision's rule: outside [-1, H] x [-1, W] -> zero; clamp at 0 below; snap to the last row/column
// when at or beyond it.
template <typename T> VD_HOST_DEVICE inline Bilinear<T> bilinear_sample(int64_t height, int64_t width, T y, T x) {
  Bilinear<T> s{};
  s.inside = !(y < T(-1) || y > T(height) || x < T(-1) || x > T(width));
  if (!s.inside) return s;
  if (y <= T(0)) y = T(0);
  if (x <= T(0)) x = T(0);
  int64_t y_low = static_cast<int64_t>(y), x_low = static_cast<int64_t>(x), y_high, x_high;
  if (y_low >= height - 1) {
    y_high = y_low = height - 1;
    y = T(y_low);
  } else {
    y_high = y_low + 1;
  }
  if (x_low >= width - 1) {
    x_high = x_low = width - 1;
    x = T(x_low);
  } else {
    x_high = x_low + 1;
  }
  const T ly = y - T(y_low), lx = x - T(x_low), hy = T(1) - ly, hx = T(1) - lx;
  s.pos[0] = y_low * width + x_low;
  s.pos[1] = y_low * width + x_high;
  s.pos[2] = y_high * width + x_low;
  s.pos[3] = y_high * width + x_high;
  s.weight[0] = hy * hx;
  s.weight[1] = hy * lx;
  s.weight[2] = ly * hx;
  s.weight[3] = ly * lx;
  return s;
}

// Where the samples of one RoI lie: bins of bin_h x bin_w feature pixels, grid_h x grid_w samples each.
template <typename T> struct RoiGeometry {
  int64_t batch_index, grid_h, grid_w;
  T start_y, start_x, bin_h, bin_w, count;  // count: samples per bin, at least 1 (the divisor of the average)

  // Sample (iy, ix) of bin (ph, pw), in feature coordinates (torchvision's expression order).
  VD_HOST_DEVICE T sample_y(int64_t ph, int64_t iy) const {
    return start_y + T(ph) * bin_h + (T(iy) + T(0.5)) * bin_h / T(grid_h);
  }
  VD_HOST_DEVICE T sample_x(int64_t pw, int64_t ix) const {
    return start_x + T(pw) * bin_w + (T(ix) + T(0.5)) * bin_w / T(grid_w);
  }
};

// roi = (batch index, x1, y1, x2, y2) in image coordinates, already in the arithmetic type T.
template <typename T>
VD_HOST_DEVICE inline RoiGeometry<T> roi_geometry(double spatial_scale, int32_t aligned, int32_t sampling_ratio,
                                                  int64_t pooled_height, int64_t pooled_width, const T roi[5]) {
  RoiGeometry<T> g;
  g.batch_index = static_cast<int64_t>(roi[0]);
  const T offset = aligned ? T(0.5) : T(0), scale = static_cast<T>(spatial_scale);
  g.start_x = roi[1] * scale - offset;
  g.start_y = roi[2] * scale - offset;
  T roi_w = roi[3] * scale - offset - g.start_x, roi_h = roi[4] * scale - offset - g.start_y;
  if (!aligned) {  // legacy mode: RoIs are at least one pixel
    roi_w = roi_w > T(1) ? roi_w : T(1);
    roi_h = roi_h > T(1) ? roi_h : T(1);
  }
  g.bin_h = roi_h / T(pooled_height);
  g.bin_w = roi_w / T(pooled_width);
  g.grid_h = sampling_ratio > 0 ? sampling_ratio : static_cast<int64_t>(ceil_of(roi_h / T(pooled_height)));
  g.grid_w = sampling_ratio > 0 ? sampling_ratio : static_cast<int64_t>(ceil_of(roi_w / T(pooled_width)));
  // Degenerate (negative-size) RoIs give no samples; their bins are 0.
  g.grid_h = g.grid_h > 0 ? g.grid_h : 0;
  g.grid_w = g.grid_w > 0 ? g.grid_w : 0;
  g.count = g.grid_h * g.grid_w > 0 ? T(g.grid_h * g.grid_w) : T(1);
  return g;
}

// ---- float16 / bfloat16 storage (bit patterns in uint16_t), round to nearest even ----

VD_HOST_DEVICE inline float bits_as_float(uint32_t u) {
  float f;
  memcpy(&f, &u, sizeof f);
  return f;
}
VD_HOST_DEVICE inline uint32_t float_as_bits(float f) {
  uint32_t u;
  memcpy(&u, &f, sizeof u);
  return u;
}

VD_HOST_DEVICE inline float bf16_to_float(uint16_t h) { return bits_as_float(static_cast<uint32_t>(h) << 16); }
// NaN stays NaN (quietened) instead of rounding into infinity.
VD_HOST_DEVICE inline uint16_t float_to_bf16(float f) {
  const uint32_t u = float_as_bits(f);
  if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((u >> 16) | 0x40);
  return static_cast<uint16_t>((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

// IEEE binary16, all classes (zero, subnormal, normal, inf, NaN).
VD_HOST_DEVICE inline float f16_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16, exp = (h >> 10) & 0x1fu, mant = h & 0x3ffu;
  if (exp == 0x1f) return bits_as_float(sign | 0x7f800000u | (mant << 13));
  if (exp != 0) return bits_as_float(sign | ((exp + 112u) << 23) | (mant << 13));
  // Subnormal (or zero): mant * 2^-24, exact in float.
  const float magnitude = static_cast<float>(mant) * 5.9604644775390625e-8f;
  return sign ? -magnitude : magnitude;
}
VD_HOST_DEVICE inline uint16_t float_to_f16(float f) {
  const uint32_t u = float_as_bits(f), sign = (u >> 16) & 0x8000u, abs = u & 0x7fffffffu;
  if (abs > 0x7f800000u) return static_cast<uint16_t>(sign | 0x7e00u | ((abs >> 13) & 0x3ffu));  // NaN
  if (abs >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u);  // rounds to >= 65520: infinity
  if (abs < 0x38800000u) {
    // Below 2^-14: subnormal half. Round abs * 2^24 to an integer, to nearest even.
    const float scaled = bits_as_float(abs) * 16777216.0f;
    uint32_t q = static_cast<uint32_t>(scaled);
    const float rest = scaled - static_cast<float>(q);
    if (rest > 0.5f || (rest == 0.5f && (q & 1u))) ++q;
    return static_cast<uint16_t>(sign | q);
  }
  // Normal: rebias the exponent, round the 13 dropped mantissa bits to nearest even (a carry into the
  // exponent is the correct result).
  const uint32_t rebased = abs - (112u << 23);
  return static_cast<uint16_t>(sign | ((rebased + 0xfffu + ((rebased >> 13) & 1u)) >> 13));
}

}  // namespace vd

// Fused residual add + RMSNorm over channels, (B, C, L) (see include/vd_norm.h). The sums of squares run along L
// in the inner loop (contiguous, vectorised), channel after channel, so no transpose is needed. The arithmetic is
// float32 whatever the activations' storage type: under bf16/fp16 autocast the mixer output arrives in the low
// type and the normalised stream leaves in it, ready for in_proj, so no separate casts run.
// Serial: a Vim-Ti block's stream is 192 x 197 values, far below what a parallel region's wake-up costs.
#include "vd_norm.h"
#include "cpu/storage.h"
#include "src/common.h"
#include <cmath>
#include <new>
#include <string>
#include <vector>

namespace {

using vd::cpu::widen;

template <typename H, typename O>
void residual_rms_norm(int64_t batch, int64_t channels, int64_t length, const H* hidden, const float* residual,
                       const float* weight, float eps, float* residual_out, O* out) {
  std::vector<float> scale(static_cast<size_t>(length));
  const float count = static_cast<float>(channels);
  for (int64_t b = 0; b < batch; ++b) {
    const int64_t base = b * channels * length;
    std::fill(scale.begin(), scale.end(), 0.0f);
    float* sums = scale.data();
    for (int64_t c = 0; c < channels; ++c) {
      const H* h = hidden + base + c * length;
      const float* r = residual ? residual + base + c * length : nullptr;
      float* ro = residual_out + base + c * length;
#pragma omp simd
      for (int64_t l = 0; l < length; ++l) {
        const float v = r ? widen(h[l]) + r[l] : widen(h[l]);
        ro[l] = v;
        sums[l] += v * v;
      }
    }
#pragma omp simd
    for (int64_t l = 0; l < length; ++l) sums[l] = 1.0f / std::sqrt(sums[l] / count + eps);
    for (int64_t c = 0; c < channels; ++c) {
      const float* ro = residual_out + base + c * length;
      O* o = out + base + c * length;
      const float w = weight[c];
#pragma omp simd
      for (int64_t l = 0; l < length; ++l) vd::cpu::store(o[l], ro[l] * sums[l] * w);
    }
  }
}

// Calls fn(S{}) with the storage type of an activation dtype (float32, bfloat16, float16); false for any other.
template <typename Fn> bool dispatch_activation(int32_t dtype, Fn&& fn) {
  switch (dtype) {
    case VD_FLOAT32: fn(float{}); return true;
    case VD_BFLOAT16: fn(vd::cpu::bf16{}); return true;
    case VD_FLOAT16: fn(vd::cpu::f16{}); return true;
    default: return false;
  }
}

}  // namespace

extern "C" int vd_residual_rms_norm_fwd(int64_t batch, int64_t channels, int64_t length, const void* hidden,
                                        int32_t hidden_dtype, const float* residual, const float* weight, double eps,
                                        float* residual_out, void* out, int32_t out_dtype) {
  if (batch < 1 || channels < 1 || length < 1)
    return vd::fail(VD_ERR_INVALID_ARGUMENT, "residual rms norm: batch, channels and length must be >= 1");
  if (!hidden || !weight || !residual_out || !out)
    return vd::fail(VD_ERR_INVALID_ARGUMENT, "residual rms norm: hidden, weight, residual_out and out must not be NULL");
  try {
    bool known_out = false;
    const bool known_hidden = dispatch_activation(hidden_dtype, [&](auto h) {
      known_out = dispatch_activation(out_dtype, [&](auto o) {
        residual_rms_norm(batch, channels, length, static_cast<const decltype(h)*>(hidden), residual, weight,
                          static_cast<float>(eps), residual_out, static_cast<decltype(o)*>(out));
      });
    });
    if (!known_hidden || !known_out)
      return vd::fail(VD_ERR_UNSUPPORTED, "residual rms norm: hidden and out must be float32, bfloat16 or float16, got dtypes " +
                                              std::to_string(hidden_dtype) + " and " + std::to_string(out_dtype));
  } catch (const std::bad_alloc&) {
    return vd::fail(VD_ERR_OUT_OF_MEMORY, "residual rms norm: out of memory");
  }
  return VD_OK;
}

// Fused residual add + RMSNorm over channels, (B, C, L) float32 (see include/vd_norm.h). The sums of squares
// run along L in the inner loop (contiguous, vectorised), channel after channel, so no transpose is needed.
// Serial: a Vim-Ti block's stream is 192 x 197 values, far below what a parallel region's wake-up costs.
#include "vd_norm.h"
#include "src/common.h"
#include <cmath>
#include <new>
#include <vector>

extern "C" int vd_residual_rms_norm_fwd(int64_t batch, int64_t channels, int64_t length, const float* hidden,
                                        const float* residual, const float* weight, double eps, float* residual_out,
                                        float* out) {
  if (batch < 1 || channels < 1 || length < 1)
    return vd::fail(VD_ERR_INVALID_ARGUMENT, "residual rms norm: batch, channels and length must be >= 1");
  if (!hidden || !weight || !residual_out || !out)
    return vd::fail(VD_ERR_INVALID_ARGUMENT, "residual rms norm: hidden, weight, residual_out and out must not be NULL");
  try {
    std::vector<float> scale(static_cast<size_t>(length));
    const float epsf = static_cast<float>(eps), count = static_cast<float>(channels);
    for (int64_t b = 0; b < batch; ++b) {
      const int64_t base = b * channels * length;
      std::fill(scale.begin(), scale.end(), 0.0f);
      float* sums = scale.data();
      for (int64_t c = 0; c < channels; ++c) {
        const float* h = hidden + base + c * length;
        const float* r = residual ? residual + base + c * length : nullptr;
        float* ro = residual_out + base + c * length;
#pragma omp simd
        for (int64_t l = 0; l < length; ++l) {
          const float v = r ? h[l] + r[l] : h[l];
          ro[l] = v;
          sums[l] += v * v;
        }
      }
#pragma omp simd
      for (int64_t l = 0; l < length; ++l) sums[l] = 1.0f / std::sqrt(sums[l] / count + epsf);
      for (int64_t c = 0; c < channels; ++c) {
        const float* ro = residual_out + base + c * length;
        float* o = out + base + c * length;
        const float w = weight[c];
#pragma omp simd
        for (int64_t l = 0; l < length; ++l) o[l] = ro[l] * sums[l] * w;
      }
    }
  } catch (const std::bad_alloc&) {
    return vd::fail(VD_ERR_OUT_OF_MEMORY, "residual rms norm: out of memory");
  }
  return VD_OK;
}

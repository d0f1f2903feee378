/* Fused residual add + RMSNorm over the channels of a channels-first (B, C, L) float32 tensor (the Vim
 * residual stream), for inference: one pass instead of ~8 library ops per block. CPU only, no backward
 * (training keeps the differentiable library ops). */
#ifndef VD_NORM_H
#define VD_NORM_H

#include "vimdense.h"

#ifdef __cplusplus
extern "C" {
#endif

/* residual_out = hidden + residual (just hidden when residual is NULL);
 * out = residual_out * (1 / sqrt(mean over C of residual_out^2 + eps)) * weight[c].
 * hidden, residual, residual_out, out: contiguous (batch, channels, length) float32; weight: (channels) float32.
 * residual_out may alias residual. */
VD_API int vd_residual_rms_norm_fwd(int64_t batch, int64_t channels, int64_t length, const float* hidden,
                                    const float* residual, const float* weight, double eps, float* residual_out,
                                    float* out);

#ifdef __cplusplus
}
#endif

#endif /* VD_NORM_H */

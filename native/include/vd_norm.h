/* Fused residual add + RMSNorm over the channels of a channels-first (B, C, L) tensor (the Vim residual
 * stream), for inference: one pass instead of ~8 library ops (and, under mixed precision, two casts) per block.
 * CPU only, no backward (training keeps the differentiable library ops). */
#ifndef VD_NORM_H
#define VD_NORM_H

#include "vimdense.h"

#ifdef __cplusplus
extern "C" {
#endif

/* residual_out = hidden + residual (just hidden when residual is NULL);
 * out = residual_out * (1 / sqrt(mean over C of residual_out^2 + eps)) * weight[c], computed in float32 and
 * rounded to nearest even when out_dtype is VD_BFLOAT16 or VD_FLOAT16.
 * hidden (hidden_dtype: VD_FLOAT32, VD_BFLOAT16 or VD_FLOAT16), residual, residual_out (float32) and out
 * (out_dtype, same choices): contiguous (batch, channels, length); weight: (channels) float32.
 * residual_out may alias residual. */
VD_API int vd_residual_rms_norm_fwd(int64_t batch, int64_t channels, int64_t length, const void* hidden,
                                    int32_t hidden_dtype, const float* residual, const float* weight, double eps,
                                    float* residual_out, void* out, int32_t out_dtype);

#ifdef __cplusplus
}
#endif

#endif /* VD_NORM_H */

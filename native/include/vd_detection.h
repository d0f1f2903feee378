/* VimDense native library: detection ops (RoIAlign forward/backward, NMS).
 * Semantics follow torchvision exactly (roi_align_kernel.cpp / nms_kernel.cpp); see
 * reference/dense_prediction.md §7.
 *
 * Device choice: every call carries `device`: -1 runs the CPU kernels (`stream` must be NULL),
 * d >= 0 runs the CUDA kernels on GPU d on `stream` (a cudaStream_t; NULL is the legacy default
 * stream that libtorch uses unless told otherwise). The stream alone cannot choose the device, since
 * NULL is also a valid CUDA stream. A build without CUDA answers VD_ERR_UNSUPPORTED for device >= 0.
 * All tensors are dense, C-contiguous, and live on the chosen device unless stated otherwise. */
#ifndef VD_DETECTION_H
#define VD_DETECTION_H

#include "vimdense.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Sizes and settings of one RoIAlign call. */
typedef struct vd_roi_align_shape {
  int64_t batch, channels, height, width; /* feature map (N, C, H, W) */
  int64_t num_rois;                        /* rois are (K, 5): batch index, x1, y1, x2, y2 (image coords) */
  int64_t pooled_height, pooled_width;     /* output bins per RoI */
  double spatial_scale;                    /* feature pixels per image pixel (1/stride) */
  int32_t sampling_ratio;                  /* samples per bin and axis; <= 0: adaptive ceil(roi_size/pooled) */
  int32_t aligned;                         /* 1: half-pixel shift (detectron2 ROIAlignV2), 0: legacy */
  int32_t dtype;                           /* VD_FLOAT32 or VD_FLOAT64 (CPU); VD_FLOAT32 or VD_FLOAT16 (CUDA) */
  int32_t device;                          /* -1 CPU, >= 0 CUDA device index */
} vd_roi_align_shape;

/* output (K, C, PH, PW) = average of bilinear samples of input (N, C, H, W) over each bin of each RoI.
 * `rois` has the dtype of `input`; a batch index outside [0, N) is an error (checked on CPU only). */
VD_API int vd_roi_align_forward(const vd_roi_align_shape* shape, const void* input, const void* rois,
                                void* output, void* stream);

/* grad_input (N, C, H, W) is OVERWRITTEN with d loss / d input for grad_output (K, C, PH, PW).
 * (There is no gradient for the RoI coordinates, as in torchvision.) */
VD_API int vd_roi_align_backward(const vd_roi_align_shape* shape, const void* grad_output, const void* rois,
                                 void* grad_input, void* stream);

/* Greedy non-maximum suppression of `count` boxes (count, 4) xyxy with scores (count,):
 * boxes in order of descending score (stable: equal scores keep their input order) are kept unless
 * their IoU with an already-kept box is strictly greater than `iou_threshold`. Areas have no +1.
 * `keep` is HOST memory of `count` int64 slots: receives the kept input indices in score order, and
 * *num_kept their number. dtype VD_FLOAT32 or VD_FLOAT64 (CPU), VD_FLOAT32 (CUDA). */
VD_API int vd_nms(int32_t dtype, int32_t device, const void* boxes, const void* scores, int64_t count,
                  double iou_threshold, int64_t* keep, int64_t* num_kept, void* stream);

#ifdef __cplusplus
}
#endif

#endif /* VD_DETECTION_H */

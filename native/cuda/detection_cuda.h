// Internal: the CUDA halves of the detection ops, called by the C entry points in cpu/roi_align.cpp
// and cpu/nms.cpp when device >= 0 (compiled only with VD_WITH_CUDA).
#pragma once
#include "vd_detection.h"
#include <vector>

namespace vd {
// Host-side stable descending order of scores (defined in cpu/nms.cpp).
template <typename T>
std::vector<int64_t> descending_score_order(const T* scores, int64_t count);
}  // namespace vd

namespace vd::cuda {
int roi_align_forward(const vd_roi_align_shape& s, const void* input, const void* rois, void* output, void* stream);
int roi_align_backward(const vd_roi_align_shape& s, const void* grad_output, const void* rois, void* grad_input,
                       void* stream);
int nms(int32_t dtype, int32_t device, const void* boxes, const void* scores, int64_t count, double iou_threshold,
        int64_t* keep, int64_t* num_kept, void* stream);
}  // namespace vd::cuda

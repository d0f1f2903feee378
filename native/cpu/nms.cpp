// Non-maximum suppression: the exported C entry point (argument checks, CPU/CUDA dispatch) and the
// CPU kernel. Semantics are torchvision's nms (reference/dense_prediction.md §7.2), with a stable sort
// so that boxes of equal score are visited in input order on every device.
#include "vd_detection.h"
#include "src/common.h"
#ifdef VD_WITH_CUDA
#include "cuda/detection_cuda.h"
#endif
#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

namespace vd {

// Indices 0..count-1 ordered by descending score, ties in input order. Shared with the CUDA path,
// which sorts on the host as well (NMS inputs are at most a few thousand boxes).
template <typename T>
std::vector<int64_t> descending_score_order(const T* scores, int64_t count) {
  std::vector<int64_t> order(static_cast<size_t>(count));
  std::iota(order.begin(), order.end(), int64_t{0});
  std::stable_sort(order.begin(), order.end(), [scores](int64_t a, int64_t b) { return scores[a] > scores[b]; });
  return order;
}
template std::vector<int64_t> descending_score_order<float>(const float*, int64_t);

}  // namespace vd

namespace {

template <typename T>
int64_t nms_cpu(const T* boxes, const T* scores, int64_t count, T threshold, int64_t* keep) {
  const std::vector<int64_t> order = vd::descending_score_order(scores, count);
  std::vector<T> areas(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) {
    const T* b = boxes + i * 4;
    areas[static_cast<size_t>(i)] = (b[2] - b[0]) * (b[3] - b[1]);
  }
  std::vector<char> suppressed(static_cast<size_t>(count), 0);
  int64_t kept = 0;
  for (int64_t oi = 0; oi < count; ++oi) {
    const int64_t i = order[static_cast<size_t>(oi)];
    if (suppressed[static_cast<size_t>(i)]) continue;
    keep[kept++] = i;
    const T* bi = boxes + i * 4;
    const T area_i = areas[static_cast<size_t>(i)];
    for (int64_t oj = oi + 1; oj < count; ++oj) {
      const int64_t j = order[static_cast<size_t>(oj)];
      if (suppressed[static_cast<size_t>(j)]) continue;
      const T* bj = boxes + j * 4;
      const T w = std::max(T(0), std::min(bi[2], bj[2]) - std::max(bi[0], bj[0]));
      const T h = std::max(T(0), std::min(bi[3], bj[3]) - std::max(bi[1], bj[1]));
      const T inter = w * h;
      const T iou = inter / (area_i + areas[static_cast<size_t>(j)] - inter);
      if (iou > threshold) suppressed[static_cast<size_t>(j)] = 1;
    }
  }
  return kept;
}

}  // namespace

extern "C" int vd_nms(int32_t dtype, int32_t device, const void* boxes, const void* scores, int64_t count,
                      double iou_threshold, int64_t* keep, int64_t* num_kept, void* stream) {
  using vd::fail;
  if (!num_kept) return fail(VD_ERR_INVALID_ARGUMENT, "num_kept is NULL");
  *num_kept = 0;
  if (count < 0) return fail(VD_ERR_INVALID_ARGUMENT, "count must be >= 0");
  if (std::isnan(iou_threshold)) return fail(VD_ERR_INVALID_ARGUMENT, "iou_threshold is NaN");
  if (device < -1) return fail(VD_ERR_INVALID_ARGUMENT, "device must be -1 (CPU) or a CUDA index");
  if (count == 0) return VD_OK;
  if (!boxes || !scores || !keep) return fail(VD_ERR_INVALID_ARGUMENT, "a data pointer is NULL");
  if (device >= 0) {
#ifdef VD_WITH_CUDA
    return vd::cuda::nms(dtype, device, boxes, scores, count, iou_threshold, keep, num_kept, stream);
#else
    return vd::no_cuda_kernels();
#endif
  }
  if (stream) return fail(VD_ERR_INVALID_ARGUMENT, "stream must be NULL for CPU tensors");
  switch (dtype) {
    case VD_FLOAT32:
      *num_kept = nms_cpu(static_cast<const float*>(boxes), static_cast<const float*>(scores), count,
                          static_cast<float>(iou_threshold), keep);
      return VD_OK;
    case VD_FLOAT64:
      *num_kept = nms_cpu(static_cast<const double*>(boxes), static_cast<const double*>(scores), count, iou_threshold, keep);
      return VD_OK;
    default: return fail(VD_ERR_UNSUPPORTED, "nms on CPU supports float32 and float64, got dtype " + std::to_string(dtype));
  }
}

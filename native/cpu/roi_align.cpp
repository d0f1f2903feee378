// RoIAlign: the exported C entry points (argument checks, CPU/CUDA dispatch) and the CPU kernels.
//
// Semantics are torchvision's roi_align (reference/dense_prediction.md §7.1): each output bin averages
// gh x gw bilinear samples; samples beyond one pixel outside the map count as zeros.
// CPU forward: OpenMP over RoIs; the sample positions and bilinear weights of one RoI are computed
// once and reused for every channel. CPU backward: OpenMP over channels (RoIs in memory-bounded chunks),
// so that two threads never add into the same grad_input plane (RoIs of one image overlap, channels never do).
#include "vd_detection.h"
#include "src/common.h"
#include "src/elementwise.h"
#ifdef VD_WITH_CUDA
#include "cuda/detection_cuda.h"
#endif
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

namespace {

using vd::Bilinear;

// The sampling grid of one RoI: samples ordered by (ph, pw, iy, ix), gh * gw per bin.
template <typename T>
struct RoiGrid {
  int64_t batch_index = 0, grid_h = 0, grid_w = 0;
  T count = T(1);
  std::vector<Bilinear<T>> samples;

  RoiGrid(const vd_roi_align_shape& s, const T* roi) {
    const vd::RoiGeometry<T> g =
        vd::roi_geometry<T>(s.spatial_scale, s.aligned, s.sampling_ratio, s.pooled_height, s.pooled_width, roi);
    batch_index = g.batch_index;
    grid_h = g.grid_h;
    grid_w = g.grid_w;
    count = g.count;
    samples.reserve(static_cast<size_t>(s.pooled_height * s.pooled_width * grid_h * grid_w));
    for (int64_t ph = 0; ph < s.pooled_height; ++ph)
      for (int64_t pw = 0; pw < s.pooled_width; ++pw)
        for (int64_t iy = 0; iy < grid_h; ++iy) {
          const T y = g.sample_y(ph, iy);
          for (int64_t ix = 0; ix < grid_w; ++ix)
            samples.push_back(vd::bilinear_sample<T>(s.height, s.width, y, g.sample_x(pw, ix)));
        }
  }
};

template <typename T>
void roi_align_forward_cpu(const vd_roi_align_shape& s, const T* input, const T* rois, T* output) {
  const int64_t plane = s.height * s.width, bins = s.pooled_height * s.pooled_width;
#pragma omp parallel for schedule(dynamic, 1)
  for (int64_t k = 0; k < s.num_rois; ++k) {
    const RoiGrid<T> grid(s, rois + k * 5);
    const int64_t per_bin = grid.grid_h * grid.grid_w;
    for (int64_t c = 0; c < s.channels; ++c) {
      const T* in = input + (grid.batch_index * s.channels + c) * plane;
      T* out = output + (k * s.channels + c) * bins;
      for (int64_t b = 0; b < bins; ++b) {
        T sum = T(0);
        for (int64_t i = b * per_bin; i < (b + 1) * per_bin; ++i) {
          const Bilinear<T>& sm = grid.samples[static_cast<size_t>(i)];
          sum += sm.weight[0] * in[sm.pos[0]] + sm.weight[1] * in[sm.pos[1]] + sm.weight[2] * in[sm.pos[2]] +
                 sm.weight[3] * in[sm.pos[3]];
        }
        out[b] = sum / grid.count;
      }
    }
  }
}

template <typename T>
void roi_align_backward_cpu(const vd_roi_align_shape& s, const T* grad_output, const T* rois, T* grad_input) {
  const int64_t plane = s.height * s.width, bins = s.pooled_height * s.pooled_width;
  std::memset(grad_input, 0, sizeof(T) * static_cast<size_t>(s.batch * s.channels * plane));
  // RoIs go in chunks whose sampling grids together stay under ~1M samples (a 1000-pixel box at scale 1
  // alone has ~10^6), and each chunk's channels run in parallel.
  constexpr size_t kMaxSamples = size_t{1} << 20;
  std::vector<RoiGrid<T>> grids;
  int64_t first = 0;
  while (first < s.num_rois) {
    grids.clear();
    size_t samples = 0;
    int64_t last = first;
    while (last < s.num_rois && (grids.empty() || samples < kMaxSamples)) {
      grids.emplace_back(s, rois + last * 5);
      samples += grids.back().samples.size();
      ++last;
    }
#pragma omp parallel for schedule(static)
    for (int64_t c = 0; c < s.channels; ++c) {
      for (int64_t k = first; k < last; ++k) {
        const RoiGrid<T>& grid = grids[static_cast<size_t>(k - first)];
        const int64_t per_bin = grid.grid_h * grid.grid_w;
        T* gin = grad_input + (grid.batch_index * s.channels + c) * plane;
        const T* gout = grad_output + (k * s.channels + c) * bins;
        for (int64_t b = 0; b < bins; ++b) {
          const T g = gout[b] / grid.count;
          for (int64_t i = b * per_bin; i < (b + 1) * per_bin; ++i) {
            const Bilinear<T>& sm = grid.samples[static_cast<size_t>(i)];
            for (int j = 0; j < 4; ++j) gin[sm.pos[j]] += g * sm.weight[j];
          }
        }
      }
    }
    first = last;
  }
}

int check_shape(const vd_roi_align_shape* s) {
  using vd::fail;
  if (!s) return fail(VD_ERR_INVALID_ARGUMENT, "shape is NULL");
  if (s->batch < 1 || s->channels < 1 || s->height < 1 || s->width < 1)
    return fail(VD_ERR_INVALID_ARGUMENT, "input sizes (N, C, H, W) must be >= 1");
  if (s->num_rois < 0) return fail(VD_ERR_INVALID_ARGUMENT, "num_rois must be >= 0");
  if (s->pooled_height < 1 || s->pooled_width < 1)
    return fail(VD_ERR_INVALID_ARGUMENT, "pooled_height and pooled_width must be >= 1");
  if (!(s->spatial_scale > 0) || !std::isfinite(s->spatial_scale))
    return fail(VD_ERR_INVALID_ARGUMENT, "spatial_scale must be a positive finite number");
  if (s->device < -1) return fail(VD_ERR_INVALID_ARGUMENT, "device must be -1 (CPU) or a CUDA index");
  return VD_OK;
}

// Batch indices index the input; a bad one would read out of bounds, so it is an error, not UB.
template <typename T>
int check_batch_indices(const vd_roi_align_shape& s, const T* rois) {
  for (int64_t k = 0; k < s.num_rois; ++k) {
    const T b = rois[k * 5];
    if (!(b >= T(0) && b < T(s.batch)) || b != std::floor(b))
      return vd::fail(VD_ERR_INVALID_ARGUMENT, "rois[" + std::to_string(k) + ", 0] (batch index) must be an integer in [0, " +
                                                   std::to_string(s.batch) + ")");
  }
  return VD_OK;
}

template <typename T>
int run_cpu(const vd_roi_align_shape& s, const void* a, const void* rois, void* out, bool backward) {
  const T* r = static_cast<const T*>(rois);
  if (int status = check_batch_indices(s, r)) return status;
  if (backward)
    roi_align_backward_cpu(s, static_cast<const T*>(a), r, static_cast<T*>(out));
  else
    roi_align_forward_cpu(s, static_cast<const T*>(a), r, static_cast<T*>(out));
  return VD_OK;
}

int dispatch(const vd_roi_align_shape* s, const void* a, const void* rois, void* out, void* stream, bool backward) {
  using vd::fail;
  if (int status = check_shape(s)) return status;
  // With no RoIs the RoI-sized tensors may be empty (NULL data); the input-sized one never is.
  const bool has_rois = s->num_rois > 0;
  if (backward ? (!out || (has_rois && (!a || !rois))) : (!a || (has_rois && (!out || !rois))))
    return fail(VD_ERR_INVALID_ARGUMENT, "a data pointer is NULL");
  if (s->device >= 0) {
#ifdef VD_WITH_CUDA
    return backward ? vd::cuda::roi_align_backward(*s, a, rois, out, stream)
                    : vd::cuda::roi_align_forward(*s, a, rois, out, stream);
#else
    return vd::no_cuda_kernels();
#endif
  }
  if (stream) return fail(VD_ERR_INVALID_ARGUMENT, "stream must be NULL for CPU tensors");
  switch (s->dtype) {
    case VD_FLOAT32: return run_cpu<float>(*s, a, rois, out, backward);
    case VD_FLOAT64: return run_cpu<double>(*s, a, rois, out, backward);
    default: return fail(VD_ERR_UNSUPPORTED, "roi_align on CPU supports float32 and float64, got dtype " + std::to_string(s->dtype));
  }
}

}  // namespace

extern "C" int vd_roi_align_forward(const vd_roi_align_shape* shape, const void* input, const void* rois, void* output,
                                    void* stream) {
  return dispatch(shape, input, rois, output, stream, false);
}

extern "C" int vd_roi_align_backward(const vd_roi_align_shape* shape, const void* grad_output, const void* rois,
                                     void* grad_input, void* stream) {
  return dispatch(shape, grad_output, rois, grad_input, stream, true);
}

// RoIAlign CUDA kernels (torchvision semantics, reference/dense_prediction.md §7.1).
// Forward: one thread per output element. Backward: one thread per grad_output element, scattering
// into grad_input with atomicAdd (zeroed first), as overlapping RoIs share input pixels.
#include "cuda/detection_common.cuh"
#include "cuda/detection_cuda.h"
#include "src/elementwise.h"
#include <cstdint>

namespace vd::cuda {
namespace {

// The geometry of one RoI (five values of the storage type T) in the arithmetic type A.
template <typename T, typename A>
__device__ RoiGeometry<A> geometry_of(const vd_roi_align_shape& s, const T* roi) {
  const A r[5] = {static_cast<A>(roi[0]), static_cast<A>(roi[1]), static_cast<A>(roi[2]), static_cast<A>(roi[3]),
                  static_cast<A>(roi[4])};
  return roi_geometry<A>(s.spatial_scale, s.aligned, s.sampling_ratio, s.pooled_height, s.pooled_width, r);
}

template <typename T>
__global__ void roi_align_forward_kernel(const vd_roi_align_shape s, const T* __restrict__ input,
                                         const T* __restrict__ rois, T* __restrict__ output) {
  using A = typename OpMath<T>::type;
  const int64_t total = s.num_rois * s.channels * s.pooled_height * s.pooled_width;
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < total; idx += int64_t(gridDim.x) * blockDim.x) {
    const int64_t pw = idx % s.pooled_width, ph = (idx / s.pooled_width) % s.pooled_height;
    const int64_t c = (idx / (s.pooled_width * s.pooled_height)) % s.channels;
    const int64_t k = idx / (s.pooled_width * s.pooled_height * s.channels);
    const RoiGeometry<A> roi = geometry_of<T, A>(s, rois + k * 5);
    const T* plane = input + (roi.batch_index * s.channels + c) * s.height * s.width;
    A sum = A(0);
    for (int64_t iy = 0; iy < roi.grid_h; ++iy) {
      const A y = roi.sample_y(ph, iy);
      for (int64_t ix = 0; ix < roi.grid_w; ++ix) {
        const Bilinear<A> b = bilinear_sample<A>(s.height, s.width, y, roi.sample_x(pw, ix));
        if (!b.inside) continue;
        for (int j = 0; j < 4; ++j) sum += b.weight[j] * static_cast<A>(plane[b.pos[j]]);
      }
    }
    output[idx] = static_cast<T>(sum / roi.count);
  }
}

template <typename T>
__global__ void roi_align_backward_kernel(const vd_roi_align_shape s, const T* __restrict__ grad_output,
                                          const T* __restrict__ rois, T* __restrict__ grad_input) {
  using A = typename OpMath<T>::type;
  const int64_t total = s.num_rois * s.channels * s.pooled_height * s.pooled_width;
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < total; idx += int64_t(gridDim.x) * blockDim.x) {
    const int64_t pw = idx % s.pooled_width, ph = (idx / s.pooled_width) % s.pooled_height;
    const int64_t c = (idx / (s.pooled_width * s.pooled_height)) % s.channels;
    const int64_t k = idx / (s.pooled_width * s.pooled_height * s.channels);
    const RoiGeometry<A> roi = geometry_of<T, A>(s, rois + k * 5);
    T* plane = grad_input + (roi.batch_index * s.channels + c) * s.height * s.width;
    const A g = static_cast<A>(grad_output[idx]) / roi.count;
    for (int64_t iy = 0; iy < roi.grid_h; ++iy) {
      const A y = roi.sample_y(ph, iy);
      for (int64_t ix = 0; ix < roi.grid_w; ++ix) {
        const Bilinear<A> b = bilinear_sample<A>(s.height, s.width, y, roi.sample_x(pw, ix));
        if (!b.inside) continue;
        for (int j = 0; j < 4; ++j) atomicAdd(plane + b.pos[j], static_cast<T>(g * b.weight[j]));
      }
    }
  }
}

template <typename T>
int launch(const vd_roi_align_shape& s, const void* a, const void* rois, void* out, cudaStream_t stream,
           bool backward) {
  const int threads = 256;
  const int64_t total = s.num_rois * s.channels * s.pooled_height * s.pooled_width;
  if (backward) {
    const size_t bytes = sizeof(T) * static_cast<size_t>(s.batch * s.channels * s.height * s.width);
    if (int status = check(cudaMemsetAsync(out, 0, bytes, stream), "roi_align backward: zeroing grad_input"))
      return status;
  }
  if (total == 0) return VD_OK;
  if (backward)
    roi_align_backward_kernel<T><<<blocks_for(total, threads), threads, 0, stream>>>(
        s, static_cast<const T*>(a), static_cast<const T*>(rois), static_cast<T*>(out));
  else
    roi_align_forward_kernel<T><<<blocks_for(total, threads), threads, 0, stream>>>(
        s, static_cast<const T*>(a), static_cast<const T*>(rois), static_cast<T*>(out));
  return check(cudaGetLastError(), backward ? "roi_align backward kernel" : "roi_align forward kernel");
}

int run(const vd_roi_align_shape& s, const void* a, const void* rois, void* out, void* stream, bool backward) {
  DeviceGuard guard(s.device);
  if (int status = check(guard.status(), "roi_align: selecting the CUDA device")) return status;
  const auto cuda_stream = static_cast<cudaStream_t>(stream);
  switch (s.dtype) {
    case VD_FLOAT32: return launch<float>(s, a, rois, out, cuda_stream, backward);
    case VD_FLOAT16: return launch<__half>(s, a, rois, out, cuda_stream, backward);
    default:
      return vd::fail(VD_ERR_UNSUPPORTED, "roi_align on CUDA supports float32 and float16, got dtype " + std::to_string(s.dtype));
  }
}

}  // namespace

int roi_align_forward(const vd_roi_align_shape& s, const void* input, const void* rois, void* output, void* stream) {
  return run(s, input, rois, output, stream, false);
}

int roi_align_backward(const vd_roi_align_shape& s, const void* grad_output, const void* rois, void* grad_input,
                       void* stream) {
  return run(s, grad_output, rois, grad_input, stream, true);
}

}  // namespace vd::cuda

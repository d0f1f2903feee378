// RoIAlign CUDA kernels (torchvision semantics, reference/dense_prediction.md §7.1).
// Forward: one thread per output element. Backward: one thread per grad_output element, scattering
// into grad_input with atomicAdd (zeroed first), as overlapping RoIs share input pixels.
#include "cuda/detection_common.cuh"
#include "cuda/detection_cuda.h"
#include <cstdint>

namespace vd::cuda {
namespace {

// Position of one sample inside the RoI grid, and its four bilinear neighbours.
template <typename A>
struct Bilinear {
  int64_t pos[4];
  A weight[4];
  bool inside;
};

template <typename A>
__device__ Bilinear<A> bilinear(int64_t height, int64_t width, A y, A x) {
  Bilinear<A> b;
  b.inside = !(y < A(-1) || y > A(height) || x < A(-1) || x > A(width));
  if (!b.inside) return b;
  if (y <= A(0)) y = A(0);
  if (x <= A(0)) x = A(0);
  int64_t y_low = static_cast<int64_t>(y), x_low = static_cast<int64_t>(x), y_high, x_high;
  if (y_low >= height - 1) {
    y_high = y_low = height - 1;
    y = A(y_low);
  } else {
    y_high = y_low + 1;
  }
  if (x_low >= width - 1) {
    x_high = x_low = width - 1;
    x = A(x_low);
  } else {
    x_high = x_low + 1;
  }
  const A ly = y - A(y_low), lx = x - A(x_low), hy = A(1) - ly, hx = A(1) - lx;
  b.pos[0] = y_low * width + x_low;
  b.pos[1] = y_low * width + x_high;
  b.pos[2] = y_high * width + x_low;
  b.pos[3] = y_high * width + x_high;
  b.weight[0] = hy * hx;
  b.weight[1] = hy * lx;
  b.weight[2] = ly * hx;
  b.weight[3] = ly * lx;
  return b;
}

// Geometry of one RoI bin: where its samples start, their spacing and their number.
template <typename A>
struct Bin {
  int64_t batch, grid_h, grid_w;
  A y0, x0, step_y, step_x, count;
};

template <typename T, typename A>
__device__ Bin<A> bin_of(const vd_roi_align_shape s, const T* roi, int64_t ph, int64_t pw) {
  Bin<A> b;
  b.batch = static_cast<int64_t>(static_cast<A>(roi[0]));
  const A offset = s.aligned ? A(0.5) : A(0), scale = static_cast<A>(s.spatial_scale);
  const A start_x = static_cast<A>(roi[1]) * scale - offset, start_y = static_cast<A>(roi[2]) * scale - offset;
  A roi_w = static_cast<A>(roi[3]) * scale - offset - start_x, roi_h = static_cast<A>(roi[4]) * scale - offset - start_y;
  if (!s.aligned) {
    roi_w = roi_w > A(1) ? roi_w : A(1);
    roi_h = roi_h > A(1) ? roi_h : A(1);
  }
  const A bin_h = roi_h / A(s.pooled_height), bin_w = roi_w / A(s.pooled_width);
  b.grid_h = s.sampling_ratio > 0 ? s.sampling_ratio : static_cast<int64_t>(ceil(roi_h / A(s.pooled_height)));
  b.grid_w = s.sampling_ratio > 0 ? s.sampling_ratio : static_cast<int64_t>(ceil(roi_w / A(s.pooled_width)));
  b.grid_h = b.grid_h > 0 ? b.grid_h : 0;
  b.grid_w = b.grid_w > 0 ? b.grid_w : 0;
  b.count = b.grid_h * b.grid_w > 0 ? A(b.grid_h * b.grid_w) : A(1);
  b.y0 = start_y + A(ph) * bin_h;
  b.x0 = start_x + A(pw) * bin_w;
  b.step_y = bin_h / A(b.grid_h > 0 ? b.grid_h : 1);
  b.step_x = bin_w / A(b.grid_w > 0 ? b.grid_w : 1);
  return b;
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
    const Bin<A> bin = bin_of<T, A>(s, rois + k * 5, ph, pw);
    const T* plane = input + (bin.batch * s.channels + c) * s.height * s.width;
    A sum = A(0);
    for (int64_t iy = 0; iy < bin.grid_h; ++iy) {
      const A y = bin.y0 + (A(iy) + A(0.5)) * bin.step_y;
      for (int64_t ix = 0; ix < bin.grid_w; ++ix) {
        const Bilinear<A> b = bilinear<A>(s.height, s.width, y, bin.x0 + (A(ix) + A(0.5)) * bin.step_x);
        if (!b.inside) continue;
        for (int j = 0; j < 4; ++j) sum += b.weight[j] * static_cast<A>(plane[b.pos[j]]);
      }
    }
    output[idx] = static_cast<T>(sum / bin.count);
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
    const Bin<A> bin = bin_of<T, A>(s, rois + k * 5, ph, pw);
    T* plane = grad_input + (bin.batch * s.channels + c) * s.height * s.width;
    const A g = static_cast<A>(grad_output[idx]) / bin.count;
    for (int64_t iy = 0; iy < bin.grid_h; ++iy) {
      const A y = bin.y0 + (A(iy) + A(0.5)) * bin.step_y;
      for (int64_t ix = 0; ix < bin.grid_w; ++ix) {
        const Bilinear<A> b = bilinear<A>(s.height, s.width, y, bin.x0 + (A(ix) + A(0.5)) * bin.step_x);
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

// CUDA depthwise causal conv1d (width 2..4), forward and backward; inputs float32 / float16 / bfloat16,
// weights and math in float32.
// Forward and dx: one thread per output element (reads width inputs; the kernel is bandwidth-bound and
// neighbouring threads share cache lines). dweight/dbias: one block per channel reduces over (batch,
// time) with a fixed-order shared-memory tree, so the result is deterministic without atomics.
#include "cuda/cuda_common.cuh"
#include "cuda/scan_cuda.h"

namespace vd::cuda {
namespace {

constexpr int kReduceBlock = 256;

template <typename T> struct ConvParams {
  int64_t batch, dim, length, width, xsb, xsd;
  int silu, reverse;
  const T *x, *dout;
  const float *weight, *bias;
  T *out, *dx;
  float *dweight, *dbias;
};

// x at scan step `step` of a row, zero before the start and after the end.
template <typename T> __device__ __forceinline__ float x_at(const ConvParams<T>& p, int64_t row, int64_t step) {
  if (step < 0 || step >= p.length) return 0.f;
  return to_float(p.x[row + (p.reverse ? p.length - 1 - step : step)]);
}

template <typename T> __device__ __forceinline__ float preactivation(const ConvParams<T>& p, int64_t row, int64_t d,
                                                                     int64_t step) {
  float acc = p.bias ? p.bias[d] : 0.f;
  for (int64_t k = 0; k < p.width; ++k) acc += p.weight[d * p.width + k] * x_at(p, row, step - (p.width - 1 - k));
  return acc;
}

// dLoss/dpreactivation at scan step `step` (0 past the end).
template <typename T> __device__ __forceinline__ float grad_pre(const ConvParams<T>& p, int64_t row, int64_t d,
                                                                int64_t step) {
  if (step >= p.length) return 0.f;
  const float g = to_float(p.dout[row + (p.reverse ? p.length - 1 - step : step)]);
  if (!p.silu) return g;
  const float pre = preactivation(p, row, d, step);
  return g * silu_grad(pre, sigmoid(pre));
}

template <typename T> __global__ void conv_fwd_kernel(const ConvParams<T> p) {
  const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= p.batch * p.dim * p.length) return;
  const int64_t step = i % p.length, d = (i / p.length) % p.dim, b = i / (p.length * p.dim);
  const int64_t row = b * p.xsb + d * p.xsd;
  float v = preactivation(p, row, d, step);
  if (p.silu) v = silu(v);
  p.out[row + (p.reverse ? p.length - 1 - step : step)] = from_float<T>(v);
}

template <typename T> __global__ void conv_dx_kernel(const ConvParams<T> p) {
  const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= p.batch * p.dim * p.length) return;
  const int64_t step = i % p.length, d = (i / p.length) % p.dim, b = i / (p.length * p.dim);
  const int64_t row = b * p.xsb + d * p.xsd;
  float acc = 0.f;
  for (int64_t k = 0; k < p.width; ++k)
    acc += p.weight[d * p.width + k] * grad_pre(p, row, d, step + (p.width - 1 - k));
  p.dx[row + (p.reverse ? p.length - 1 - step : step)] = from_float<T>(acc);
}

// One block per channel: dweight[d, k] = sum g[step] x[step - (W-1-k)], dbias[d] = sum g.
template <typename T> __global__ void __launch_bounds__(kReduceBlock) conv_dweight_kernel(const ConvParams<T> p) {
  __shared__ float partial[5][kReduceBlock];
  const int64_t d = blockIdx.x;
  float acc[5] = {0.f, 0.f, 0.f, 0.f, 0.f};
  for (int64_t i = threadIdx.x; i < p.batch * p.length; i += kReduceBlock) {
    const int64_t b = i / p.length, step = i % p.length, row = b * p.xsb + d * p.xsd;
    const float g = grad_pre(p, row, d, step);
    for (int64_t k = 0; k < p.width; ++k) acc[k] += g * x_at(p, row, step - (p.width - 1 - k));
    acc[4] += g;
  }
  for (int k = 0; k < 5; ++k) partial[k][threadIdx.x] = acc[k];
  __syncthreads();
  for (int stride = kReduceBlock / 2; stride > 0; stride >>= 1) {
    if (static_cast<int>(threadIdx.x) < stride)
      for (int k = 0; k < 5; ++k) partial[k][threadIdx.x] += partial[k][threadIdx.x + stride];
    __syncthreads();
  }
  if (threadIdx.x == 0) {
    for (int64_t k = 0; k < p.width; ++k) p.dweight[d * p.width + k] = partial[k][0];
    if (p.dbias) p.dbias[d] = partial[4][0];
  }
}

template <typename T> ConvParams<T> make_params(const vd_conv1d_shape& s, const void* x, const void* weight,
                                                const void* bias) {
  ConvParams<T> p{};
  p.batch = s.batch; p.dim = s.dim; p.length = s.length; p.width = s.width;
  p.xsb = s.x_stride_batch; p.xsd = s.x_stride_dim; p.silu = s.silu; p.reverse = s.reverse;
  p.x = static_cast<const T*>(x);
  p.weight = static_cast<const float*>(weight);
  p.bias = static_cast<const float*>(bias);
  return p;
}

}  // namespace
}  // namespace vd::cuda

using namespace vd::cuda;

extern "C" int vd_conv1d_cuda_fwd(const vd_conv1d_shape* shape, const void* x, const void* weight, const void* bias,
                                  void* out, void* stream) {
  DeviceGuard guard(shape->device);
  if (guard.status() != cudaSuccess) return cuda_fail(guard.status(), "causal conv1d: cudaSetDevice");
  const auto st = static_cast<cudaStream_t>(stream);
  return dispatch_dtype(shape->dtype, [&](auto tag) {
    using T = decltype(tag);
    auto p = make_params<T>(*shape, x, weight, bias);
    p.out = static_cast<T*>(out);
    conv_fwd_kernel<T><<<blocks_for(p.batch * p.dim * p.length, 256), 256, 0, st>>>(p);
    const cudaError_t err = cudaGetLastError();
    return err == cudaSuccess ? VD_OK : cuda_fail(err, "causal conv1d forward launch");
  });
}

extern "C" int vd_conv1d_cuda_bwd(const vd_conv1d_shape* shape, const void* x, const void* weight, const void* bias,
                                  const void* dout, void* dx, void* dweight, void* dbias, void* stream) {
  DeviceGuard guard(shape->device);
  if (guard.status() != cudaSuccess) return cuda_fail(guard.status(), "causal conv1d: cudaSetDevice");
  const auto st = static_cast<cudaStream_t>(stream);
  return dispatch_dtype(shape->dtype, [&](auto tag) {
    using T = decltype(tag);
    auto p = make_params<T>(*shape, x, weight, bias);
    p.dout = static_cast<const T*>(dout);
    p.dx = static_cast<T*>(dx);
    p.dweight = static_cast<float*>(dweight);
    p.dbias = static_cast<float*>(dbias);
    conv_dx_kernel<T><<<blocks_for(p.batch * p.dim * p.length, 256), 256, 0, st>>>(p);
    conv_dweight_kernel<T><<<static_cast<unsigned>(p.dim), kReduceBlock, 0, st>>>(p);
    const cudaError_t err = cudaGetLastError();
    return err == cudaSuccess ? VD_OK : cuda_fail(err, "causal conv1d backward launch");
  });
}

// Shared by the CUDA scan/conv sources: element conversions, math backend, device guard, error reporting.
#pragma once
#include "src/common.h"
#include "src/elementwise.h"
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>
#include <string>

namespace vd::cuda {

template <typename T> __device__ __forceinline__ float to_float(T v);
template <> __device__ __forceinline__ float to_float<float>(float v) { return v; }
template <> __device__ __forceinline__ float to_float<__half>(__half v) { return __half2float(v); }
template <> __device__ __forceinline__ float to_float<__nv_bfloat16>(__nv_bfloat16 v) { return __bfloat162float(v); }

template <typename T> __device__ __forceinline__ T from_float(float v);
template <> __device__ __forceinline__ float from_float<float>(float v) { return v; }
template <> __device__ __forceinline__ __half from_float<__half>(float v) { return __float2half_rn(v); }
template <> __device__ __forceinline__ __nv_bfloat16 from_float<__nv_bfloat16>(float v) { return __float2bfloat16_rn(v); }

// The device math backend of the shared activations (src/elementwise.h).
struct DeviceMath {
  static __device__ __forceinline__ float exp(float x) { return expf(x); }
  static __device__ __forceinline__ float log1p(float x) { return log1pf(x); }
};
__device__ __forceinline__ float softplus(float x) { return vd::softplus<DeviceMath>(x); }
__device__ __forceinline__ float sigmoid(float x) { return vd::sigmoid<DeviceMath>(x); }
__device__ __forceinline__ float softplus_grad(float x) { return vd::softplus_grad<DeviceMath>(x); }
__device__ __forceinline__ float silu(float x) { return vd::silu<DeviceMath>(x); }

__device__ __forceinline__ float warp_sum(float v) {
#pragma unroll
  for (int offset = 16; offset > 0; offset >>= 1) v += __shfl_xor_sync(0xffffffffu, v, offset);
  return v;
}

inline int cuda_fail(cudaError_t err, const char* what) {
  return vd::fail(VD_ERR_CUDA, std::string(what) + ": " + cudaGetErrorString(err));
}

// Makes `device` current for the lifetime of the guard and restores the previous one.
class DeviceGuard {
 public:
  explicit DeviceGuard(int device) {
    cudaGetDevice(&previous_);
    status_ = cudaSetDevice(device);
  }
  ~DeviceGuard() { cudaSetDevice(previous_); }
  cudaError_t status() const { return status_; }

 private:
  int previous_ = 0;
  cudaError_t status_ = cudaSuccess;
};

// Calls fn.template operator()<T>() with T the CUDA element type of a vd_dtype; VD_ERR_UNSUPPORTED otherwise.
template <typename Fn> int dispatch_dtype(int32_t dtype, Fn&& fn) {
  switch (dtype) {
    case VD_FLOAT32: return fn(float{});
    case VD_FLOAT16: return fn(__half{});
    case VD_BFLOAT16: return fn(__nv_bfloat16{});
    default: return vd::fail(VD_ERR_UNSUPPORTED, "CUDA kernels support float32, float16 and bfloat16 inputs");
  }
}

inline unsigned blocks_for(int64_t threads, int block) { return static_cast<unsigned>((threads + block - 1) / block); }

}  // namespace vd::cuda

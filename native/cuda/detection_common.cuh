// Internal helpers of the detection CUDA sources: device selection and error translation.
#pragma once
#include "src/common.h"
#include <cuda_fp16.h>
#include <cuda_runtime.h>
#include <string>

namespace vd::cuda {

// Makes `device` current for the lifetime of the guard and restores the previous device after.
class DeviceGuard {
 public:
  explicit DeviceGuard(int device) {
    status_ = cudaGetDevice(&previous_);
    if (status_ == cudaSuccess && previous_ != device) status_ = cudaSetDevice(device);
  }
  ~DeviceGuard() {
    int current = -1;
    if (cudaGetDevice(&current) == cudaSuccess && current != previous_) cudaSetDevice(previous_);
  }
  cudaError_t status() const { return status_; }
  DeviceGuard(const DeviceGuard&) = delete;
  DeviceGuard& operator=(const DeviceGuard&) = delete;

 private:
  int previous_ = 0;
  cudaError_t status_ = cudaSuccess;
};

// VD_OK for cudaSuccess, otherwise records "<what>: <CUDA message>" and returns VD_ERR_CUDA.
inline int check(cudaError_t status, const char* what) {
  if (status == cudaSuccess) return VD_OK;
  cudaGetLastError();  // clear the sticky-free error so later calls do not report it again
  if (status == cudaErrorMemoryAllocation)
    return vd::fail(VD_ERR_OUT_OF_MEMORY, std::string(what) + ": " + cudaGetErrorString(status));
  return vd::fail(VD_ERR_CUDA, std::string(what) + ": " + cudaGetErrorString(status));
}

// Arithmetic type for a storage type: half samples are interpolated and summed in float.
template <typename T> struct OpMath { using type = T; };
template <> struct OpMath<__half> { using type = float; };

inline unsigned blocks_for(int64_t work, int threads) {
  const int64_t blocks = (work + threads - 1) / threads;
  return static_cast<unsigned>(blocks < 65535 * 16 ? blocks : 65535 * 16);
}

}  // namespace vd::cuda

// CUDA device discovery: vd_cuda_device_count(), vd_cuda_device_info(), vd_cuda_architectures(),
// vd_cuda_kernels_fit().
#include "src/common.h"
#include <cuda_runtime.h>
#include <cstring>
#include <string>

#ifndef VD_CUDA_ARCHS_STRING
#define VD_CUDA_ARCHS_STRING ""
#endif

namespace {
// Compiled like every kernel of the library (same architectures), so whether it has an image for a device
// answers whether the library's kernels can run there.
__global__ void vd_probe_kernel() {}
}  // namespace

extern "C" int vd_cuda_device_count(void) {
  int count = 0;
  // No driver / no GPU is a normal situation on CPU machines: report zero devices.
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();
    return 0;
  }
  return count;
}

extern "C" const char* vd_cuda_architectures(void) { return VD_CUDA_ARCHS_STRING; }

extern "C" int vd_cuda_device_info(int device, char* name, int name_capacity, int* major, int* minor) {
  if (name != nullptr && name_capacity > 0) name[0] = '\0';
  int count = vd_cuda_device_count();
  if (device < 0 || device >= count)
    return vd::fail(VD_ERR_INVALID_ARGUMENT, "CUDA device " + std::to_string(device) + " does not exist (" +
                                                 std::to_string(count) + " device(s))");
  cudaDeviceProp prop;
  cudaError_t status = cudaGetDeviceProperties(&prop, device);
  if (status != cudaSuccess) {
    cudaGetLastError();
    return vd::fail(VD_ERR_CUDA, std::string("cudaGetDeviceProperties: ") + cudaGetErrorString(status));
  }
  if (name != nullptr && name_capacity > 0) {
    std::strncpy(name, prop.name, name_capacity - 1);
    name[name_capacity - 1] = '\0';
  }
  if (major != nullptr) *major = prop.major;
  if (minor != nullptr) *minor = prop.minor;
  return VD_OK;
}

extern "C" int vd_cuda_kernels_fit(int device) {
  if (device < 0 || device >= vd_cuda_device_count()) return 0;
  int previous = 0;
  if (cudaGetDevice(&previous) != cudaSuccess || cudaSetDevice(device) != cudaSuccess) {
    cudaGetLastError();
    return 0;
  }
  // cudaErrorNoKernelImageForDevice (or InvalidDeviceFunction) when no SASS or PTX of the library fits.
  cudaFuncAttributes attributes;
  cudaError_t status = cudaFuncGetAttributes(&attributes, vd_probe_kernel);
  cudaGetLastError();
  cudaSetDevice(previous);
  return status == cudaSuccess ? 1 : 0;
}

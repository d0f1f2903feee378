// CUDA device discovery for vd_cuda_device_count().
#include "src/common.h"
#include <cuda_runtime.h>

extern "C" int vd_cuda_device_count(void) {
  int count = 0;
  // No driver / no GPU is a normal situation on CPU machines: report zero devices.
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();
    return 0;
  }
  return count;
}

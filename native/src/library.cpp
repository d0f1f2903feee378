// Library-wide entry points: version, build variants, error messages.
#include "src/common.h"
#include <omp.h>

namespace vd {
static thread_local std::string last_error;
void set_error(const std::string& message) { last_error = message; }
}  // namespace vd

#ifndef VD_WITH_CUDA
// Without the CUDA sources there is no device to count, describe or run on (cuda/device.cu otherwise).
extern "C" int vd_cuda_device_count(void) { return 0; }
extern "C" const char* vd_cuda_architectures(void) { return ""; }
extern "C" int vd_cuda_device_info(int, char* name, int name_capacity, int*, int*) {
  if (name != nullptr && name_capacity > 0) name[0] = '\0';
  return vd::fail(VD_ERR_UNSUPPORTED, "this library was built without CUDA kernels (no nvcc at build time)");
}
extern "C" int vd_cuda_kernels_fit(int) { return 0; }
#endif

extern "C" {
const char* vd_version(void) { return VD_VERSION_STRING; }
int vd_has_cuda(void) {
#ifdef VD_WITH_CUDA
  return 1;
#else
  return 0;
#endif
}
const char* vd_last_error(void) { return vd::last_error.c_str(); }
int vd_cpu_threads(void) { return omp_get_max_threads(); }
}

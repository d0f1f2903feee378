// Library-wide entry points behave as documented in vimdense.h.
#include "vimdense.h"
#include <cstdio>
#include <cstring>

int main() {
  int failures = 0;
  auto check = [&](bool ok, const char* what) {
    if (!ok) { std::printf("FAIL: %s\n", what); ++failures; }
  };
  check(vd_last_error() != nullptr && vd_last_error()[0] == '\0', "no error before any call");
  check(std::strlen(vd_version()) >= 5, "vd_version() is MAJOR.MINOR.PATCH");
  check(vd_has_cuda() == 0 || vd_has_cuda() == 1, "vd_has_cuda() is 0 or 1");
  check(vd_cuda_device_count() >= 0, "vd_cuda_device_count() >= 0");
  check(vd_has_cuda() == 1 || vd_cuda_device_count() == 0, "no devices without CUDA kernels");
  check(vd_has_cuda() == 1 || vd_cuda_architectures()[0] == '\0', "no architectures without CUDA kernels");
  check(vd_has_cuda() == 0 || vd_cuda_architectures()[0] != '\0', "CUDA kernels name their architectures");
  check(vd_cuda_kernels_fit(-1) == 0 && vd_cuda_kernels_fit(vd_cuda_device_count()) == 0, "no fit for a device that does not exist");
  char name[64] = "x";
  int major = -1, minor = -1;
  check(vd_cuda_device_info(vd_cuda_device_count(), name, sizeof name, &major, &minor) != VD_OK && name[0] == '\0',
        "device info of a device that does not exist fails, name cleared");
  if (vd_cuda_device_count() > 0)
    check(vd_cuda_device_info(0, name, sizeof name, &major, &minor) == VD_OK && name[0] != '\0' && major >= 3,
          "device 0 has a name and a compute capability");
  check(vd_cpu_threads() >= 1, "vd_cpu_threads() >= 1");
  std::printf("%s: version %s, cuda %d (archs '%s', %d devices), %d threads\n", failures ? "FAILED" : "ok", vd_version(),
              vd_has_cuda(), vd_cuda_architectures(), vd_cuda_device_count(), vd_cpu_threads());
  return failures == 0 ? 0 : 1;
}

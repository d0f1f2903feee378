// Library-wide entry points behave as documented in vimdense.h.
#include "vimdense.h"
#include <cstdio>
#include <cstring>

int main() {
  int failures = 0;
  auto check = [&](bool ok, const char* what) {
    if (!ok) { std::printf("FAIL: %s\n", what); ++failures; }
  };
  check(std::strlen(vd_version()) >= 5, "vd_version() is MAJOR.MINOR.PATCH");
  check(vd_has_cuda() == 0 || vd_has_cuda() == 1, "vd_has_cuda() is 0 or 1");
  check(vd_cuda_device_count() >= 0, "vd_cuda_device_count() >= 0");
  check(vd_has_cuda() == 1 || vd_cuda_device_count() == 0, "no devices without CUDA kernels");
  check(vd_cpu_threads() >= 1, "vd_cpu_threads() >= 1");
  check(vd_last_error() != nullptr && vd_last_error()[0] == '\0', "no error before any call");
  std::printf("%s: version %s, cuda %d (%d devices), %d threads\n", failures ? "FAILED" : "ok", vd_version(),
              vd_has_cuda(), vd_cuda_device_count(), vd_cpu_threads());
  return failures == 0 ? 0 : 1;
}

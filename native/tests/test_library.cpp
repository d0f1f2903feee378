// Library-wide entry points behave as documented in vimdense.h, and the kernels' entry points report the errors
// they share (an unknown dtype, a stream for CPU tensors, a CUDA tensor without CUDA kernels) as documented.
#include "vd_scan.h"
#include "vimdense.h"
#include <cstdio>
#include <cstring>
#include <vector>

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

  // One 1 x 1 x 4 row through the scan and the conv, float32 unless a case changes it.
  auto says = [](const char* part) { return std::strstr(vd_last_error(), part) != nullptr; };
  std::vector<float> v(64, 0.5f), out(64), grad(64);
  int stream_token = 0;
  auto scan = [&](int32_t dtype, int32_t device, void* stream) {
    const vd_scan_shape s{1, 1, 4, 2, 1, 4, 4, 8, 8, 4, dtype, 1, 0, device};
    return vd_selective_scan_fwd(&s, v.data(), v.data(), v.data(), v.data(), v.data(), nullptr, nullptr, nullptr,
                                 out.data(), nullptr, stream);
  };
  auto conv_bwd = [&](int32_t dtype, int32_t device, void* stream) {
    const vd_conv1d_shape s{1, 1, 4, 4, 4, 4, dtype, 1, 0, device};
    return vd_causal_conv1d_bwd(&s, v.data(), v.data(), nullptr, v.data(), out.data(), grad.data(), nullptr, stream);
  };
  check(scan(VD_FLOAT32, -1, nullptr) == VD_OK && conv_bwd(VD_FLOAT32, -1, nullptr) == VD_OK, "float32 on the CPU runs");
  check(scan(99, -1, nullptr) == VD_ERR_UNSUPPORTED && says("selective scan forward: unknown dtype 99"),
        "an unknown dtype is refused, naming the op");
  check(conv_bwd(99, -1, nullptr) == VD_ERR_UNSUPPORTED && says("causal conv1d backward: unknown dtype 99"),
        "an unknown dtype is refused, naming the op (conv)");
  check(scan(VD_FLOAT32, -1, &stream_token) == VD_ERR_INVALID_ARGUMENT && says("stream must be NULL for CPU tensors"),
        "a stream for CPU tensors is refused");
  if (!vd_has_cuda())
    check(conv_bwd(VD_FLOAT32, 0, nullptr) == VD_ERR_UNSUPPORTED && says("no CUDA kernels"),
          "a CUDA tensor without CUDA kernels is refused");
  std::printf("%s: version %s, cuda %d (archs '%s', %d devices), %d threads\n", failures ? "FAILED" : "ok", vd_version(),
              vd_has_cuda(), vd_cuda_architectures(), vd_cuda_device_count(), vd_cpu_threads());
  return failures == 0 ? 0 : 1;
}

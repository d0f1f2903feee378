// Internal helpers shared by the CPU and CUDA sources: error reporting into vd_last_error().
#pragma once
#include "vimdense.h"
#include <string>

namespace vd {
void set_error(const std::string& message);
// Records `message` and returns `status`, so checks read `return fail(VD_ERR_..., "...")`.
inline int fail(int status, const std::string& message) {
  set_error(message);
  return status;
}
// What an entry point returns for a CUDA tensor when the library was built without CUDA kernels.
inline int no_cuda_kernels() { return fail(VD_ERR_UNSUPPORTED, "this build of libvimdense_native has no CUDA kernels"); }
}  // namespace vd

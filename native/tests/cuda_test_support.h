// Shared by the CUDA-vs-CPU harnesses: device memory through the CUDA driver API loaded at run time
// (libcuda.so.1), so the harnesses need no CUDA headers and build in CPU-only configurations too (the driver's
// primary context is the one the CUDA runtime inside the library uses).
#pragma once
#include <cstdint>
#include <cstring>
#include <dlfcn.h>

using CUdeviceptr = unsigned long long;

struct CudaDriver {
  int (*init)(unsigned);
  int (*device_get)(int*, int);
  int (*retain)(void**, int);
  int (*set_current)(void*);
  int (*alloc)(CUdeviceptr*, size_t);
  int (*free)(CUdeviceptr);
  int (*to_device)(CUdeviceptr, const void*, size_t);
  int (*to_host)(void*, CUdeviceptr, size_t);
  int (*sync)();
};

inline CudaDriver drv;

template <typename F> bool bind_symbol(void* lib, const char* name, F& fn) {
  fn = reinterpret_cast<F>(dlsym(lib, name));
  return fn != nullptr;
}

// Loads the driver into `drv` and makes device 0's primary context current; false without a driver or GPU.
inline bool load_driver() {
  void* lib = dlopen("libcuda.so.1", RTLD_NOW);
  if (!lib) return false;
  const bool ok = bind_symbol(lib, "cuInit", drv.init) && bind_symbol(lib, "cuDeviceGet", drv.device_get) &&
                  bind_symbol(lib, "cuDevicePrimaryCtxRetain", drv.retain) &&
                  bind_symbol(lib, "cuCtxSetCurrent", drv.set_current) && bind_symbol(lib, "cuMemAlloc_v2", drv.alloc) &&
                  bind_symbol(lib, "cuMemFree_v2", drv.free) && bind_symbol(lib, "cuMemcpyHtoD_v2", drv.to_device) &&
                  bind_symbol(lib, "cuMemcpyDtoH_v2", drv.to_host) && bind_symbol(lib, "cuCtxSynchronize", drv.sync);
  int device = 0;
  void* ctx = nullptr;
  return ok && drv.init(0) == 0 && drv.device_get(&device, 0) == 0 && drv.retain(&ctx, device) == 0 &&
         drv.set_current(ctx) == 0;
}

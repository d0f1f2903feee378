// Shared by the CUDA-vs-CPU harnesses: device memory through the CUDA driver API loaded at run time
// (libcuda.so.1), so the harnesses need no CUDA headers and build in CPU-only configurations too (the driver's
// primary context is the one the CUDA runtime inside the library uses), and float16/bfloat16 conversions.
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

inline uint16_t to_bf16(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  u += 0x7fff + ((u >> 16) & 1);  // round to nearest even
  return static_cast<uint16_t>(u >> 16);
}
inline float from_bf16(uint16_t h) {
  const uint32_t u = static_cast<uint32_t>(h) << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}
// float16 for the normal range used by the harnesses (|x| in [2^-14, 65504] or 0), round to nearest even.
inline uint16_t to_f16(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  const uint32_t sign = (u >> 16) & 0x8000;
  const int exp = static_cast<int>((u >> 23) & 0xff) - 127 + 15;
  if (exp <= 0) return static_cast<uint16_t>(sign);
  uint32_t half = (static_cast<uint32_t>(exp) << 10) | ((u & 0x7fffff) >> 13);
  const uint32_t rest = u & 0x1fff;
  if (rest > 0x1000 || (rest == 0x1000 && (half & 1))) ++half;
  return static_cast<uint16_t>(sign | half);
}
inline float from_f16(uint16_t h) {
  const uint32_t sign = (h & 0x8000u) << 16, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  const uint32_t u = exp == 0 ? sign : sign | ((exp - 15 + 127) << 23) | (mant << 13);
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

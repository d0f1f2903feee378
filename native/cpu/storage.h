// Element types of the CPU kernels in memory ("storage") and in arithmetic ("compute"): float32 and
// float64 compute in themselves; float16 and bfloat16 activations compute in float32 (state and
// reductions included) and are rounded to nearest even when written. widen() reads one element in its
// compute type, store() writes one. float16 uses the F16C instructions where the build has them (every
// AVX2 CPU does); they round exactly as vd::float_to_f16 (test_elementwise_cpu checks it). The entry points
// map a vd_dtype to these types through dispatch_cpu_dtype / run_on_cpu.
#pragma once
#include "src/common.h"
#include "src/elementwise.h"
#include "vimdense.h"
#include <new>
#include <string>
#include <utility>
#if defined(__F16C__)
#include <immintrin.h>
#endif

namespace vd::cpu {

struct bf16 {
  uint16_t bits;
};
struct f16 {
  uint16_t bits;
};

inline float widen(float v) { return v; }
inline double widen(double v) { return v; }
inline float widen(bf16 v) { return bf16_to_float(v.bits); }
inline float widen(f16 v) {
#if defined(__F16C__)
  return _cvtsh_ss(v.bits);
#else
  return f16_to_float(v.bits);
#endif
}

inline void store(float& dst, float v) { dst = v; }
inline void store(double& dst, double v) { dst = v; }
inline void store(bf16& dst, float v) { dst.bits = float_to_bf16(v); }
inline void store(f16& dst, float v) {
#if defined(__F16C__)
  dst.bits = static_cast<uint16_t>(_cvtss_sh(v, _MM_FROUND_TO_NEAREST_INT));
#else
  dst.bits = float_to_f16(v);
#endif
}

// Calls fn(T{}, S{}) with the compute type T and storage type S of a vd_dtype; false for an unknown dtype.
template <typename Fn> bool dispatch_cpu_dtype(int32_t dtype, Fn&& fn) {
  switch (dtype) {
    case VD_FLOAT32: fn(float{}, float{}); return true;
    case VD_FLOAT64: fn(double{}, double{}); return true;
    case VD_BFLOAT16: fn(float{}, bf16{}); return true;
    case VD_FLOAT16: fn(float{}, f16{}); return true;
    default: return false;
  }
}

// The CPU half of an entry point: refuses a stream (they are CUDA's), runs fn(T{}, S{}) for the types of dtype, and
// turns an unknown dtype or std::bad_alloc into an error status that names `op` (no exception may cross the C ABI).
template <typename Fn> int run_on_cpu(const char* op, int32_t dtype, const void* stream, Fn&& fn) {
  if (stream) return fail(VD_ERR_INVALID_ARGUMENT, "stream must be NULL for CPU tensors");
  try {
    if (!dispatch_cpu_dtype(dtype, std::forward<Fn>(fn)))
      return fail(VD_ERR_UNSUPPORTED, std::string(op) + ": unknown dtype " + std::to_string(dtype));
  } catch (const std::bad_alloc&) {
    return fail(VD_ERR_OUT_OF_MEMORY, std::string(op) + ": out of memory");
  }
  return VD_OK;
}

}  // namespace vd::cpu

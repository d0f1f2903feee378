/* VimDense native library: C ABI shared by the CPU (C++) and CUDA paths.
 * Conventions for every op: raw pointers + sizes + element strides, a `stream` that is NULL on CPU
 * (a cudaStream_t otherwise), and an int return code (VD_OK or one of the errors below); the message
 * of the last error on the calling thread comes from vd_last_error(). */
#ifndef VIMDENSE_H
#define VIMDENSE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VD_API __attribute__((visibility("default")))

enum vd_status {
  VD_OK = 0,
  VD_ERR_INVALID_ARGUMENT = 1, /* bad size, stride, pointer or flag */
  VD_ERR_UNSUPPORTED = 2,      /* dtype/device combination this build lacks */
  VD_ERR_CUDA = 3,             /* a CUDA runtime error; see vd_last_error() */
  VD_ERR_OUT_OF_MEMORY = 4,
};

/* Element types understood by the ops (values fixed: the managed side mirrors them). */
enum vd_dtype { VD_FLOAT32 = 0, VD_FLOAT64 = 1, VD_FLOAT16 = 2, VD_BFLOAT16 = 3 };

/* "MAJOR.MINOR.PATCH" of this library. */
VD_API const char* vd_version(void);
/* 1 when the CUDA kernels were compiled in, 0 otherwise. */
VD_API int vd_has_cuda(void);
/* Number of CUDA devices usable by this build (0 without CUDA or without a GPU). */
VD_API int vd_cuda_device_count(void);
/* CUDA architectures the kernels were compiled for, comma-separated as configured ("80,90": sm_80 and sm_90, with PTX unless "-real"); "" without CUDA. */
VD_API const char* vd_cuda_architectures(void);
/* Name (NUL-terminated, at most name_capacity bytes) and compute capability of CUDA device `device`.
 * VD_ERR_UNSUPPORTED without CUDA kernels, VD_ERR_INVALID_ARGUMENT for a device that does not exist. */
VD_API int vd_cuda_device_info(int device, char* name, int name_capacity, int* major, int* minor);
/* 1 when this library holds a kernel image (SASS or PTX) that runs on CUDA device `device`, else 0
 * (no CUDA kernels, no such device, or compiled only for other architectures). */
VD_API int vd_cuda_kernels_fit(int device);
/* Message of the last failed call on this thread ("" if none). */
VD_API const char* vd_last_error(void);
/* Number of threads the CPU kernels use (OpenMP). */
VD_API int vd_cpu_threads(void);

#ifdef __cplusplus
}
#endif

#endif /* VIMDENSE_H */

// Depthwise causal conv1d: exported C entry points and the CPU kernels.
// Each (batch, channel) row is copied in scan order (reversed for the anti-causal direction) behind
// width-1 zeros, so the causal and anti-causal cases share one branch-free loop over time that the
// compiler vectorises. The backward gives each thread whole channels, so dweight/dbias need no sharing.
#include "cpu/scan_math.h"
#include "cpu/simd_avx2.h"
#include "cpu/storage.h"
#include "src/common.h"
#include "vd_scan.h"
#ifdef VD_WITH_CUDA
#include "cuda/scan_cuda.h"
#endif
#include <string>
#include <vector>

namespace {

using vd::cpu::Math;
using vd::cpu::store;
using vd::cpu::widen;

// Below this many elements (~0.4 ms of the forward on one core) the conv runs on the calling thread: see kParallelWork.
// It was 2^20, which left Vim-Ti at 512², batch 2 ((2, 384, 1024) per call) on one thread: on 2 cores its convs took
// 162-191 ms of a backbone training step, 103-112 ms in parallel (each row and each channel's sums as before).
constexpr int64_t kParallelElements = int64_t(1) << 18;


// Pre-activation of one row in scan order: pre[j] = bias + sum_w w[w] * xs[j - (W-1-w)], where
// padded[k] = xs[k - (W-1)] (zeros before the start).
template <typename T>
void row_preactivation(const T* padded, int64_t L, int64_t W, const T* w, T bias, T* pre) {
#pragma omp simd
  for (int64_t j = 0; j < L; ++j) {
    T acc = bias;
    for (int64_t k = 0; k < W; ++k) acc += w[k] * padded[j + k];
    pre[j] = acc;
  }
}

// pre[j] = silu(pre[j]) in place.
template <typename T> void silu_row(T* pre, int64_t L) {
#pragma omp simd
  for (int64_t j = 0; j < L; ++j) pre[j] = vd::silu<Math<T>>(pre[j]);
}
// g[j] *= silu'(pre[j]).
template <typename T> void silu_backward_row(const T* pre, T* g, int64_t L) {
#pragma omp simd
  for (int64_t j = 0; j < L; ++j) g[j] *= vd::silu_grad(pre[j], vd::sigmoid<Math<T>>(pre[j]));
}

// The backward's per-row sums, with g = dLoss/dpre in scan order followed by width-1 zeros:
// dxs[j] = sum_k w[k] g[j + (W-1-k)] (pre at j + (W-1-k) read xs[j] through tap k), dw[k] = sum_j g[j] padded[j + k],
// gsum = sum_j g[j].
template <typename T>
void tap_gradients(const T* g, const T* padded, int64_t L, int64_t W, const T* w, T* dxs, T* dw, T& gsum) {
  const int64_t halo = W - 1;
  for (int64_t j = 0; j < L; ++j) {
    T acc = T(0);
    for (int64_t k = 0; k < W; ++k) acc += w[k] * g[j + halo - k];
    dxs[j] = acc;
  }
  for (int64_t k = 0; k < W; ++k) {
    T acc = T(0);
    for (int64_t j = 0; j < L; ++j) acc += g[j] * padded[j + k];
    dw[k] = acc;
  }
  gsum = T(0);
  for (int64_t j = 0; j < L; ++j) gsum += g[j];
}

#ifdef VD_HAVE_AVX2
// Explicit AVX2 float versions: GCC leaves the generic loops above scalar (the polynomial exp inside does not
// vectorise reliably), which made the conv several times slower than its memory traffic. Same formulas.
template <> void row_preactivation<float>(const float* padded, int64_t L, int64_t W, const float* w, float bias, float* pre) {
  int64_t j = 0;
  for (; j + 8 <= L; j += 8) {
    __m256 acc = _mm256_set1_ps(bias);
    for (int64_t k = 0; k < W; ++k) acc = _mm256_fmadd_ps(_mm256_set1_ps(w[k]), _mm256_loadu_ps(padded + j + k), acc);
    _mm256_storeu_ps(pre + j, acc);
  }
  for (; j < L; ++j) {
    float acc = bias;
    for (int64_t k = 0; k < W; ++k) acc = std::fma(w[k], padded[j + k], acc);
    pre[j] = acc;
  }
}
template <> void silu_row<float>(float* pre, int64_t L) {
  int64_t j = 0;
  for (; j + 8 <= L; j += 8) {
    const __m256 x = _mm256_loadu_ps(pre + j);
    _mm256_storeu_ps(pre + j, _mm256_mul_ps(x, vd::cpu::avx2::sigmoid8(x)));
  }
  for (; j < L; ++j) pre[j] = vd::silu<Math<float>>(pre[j]);
}
template <> void silu_backward_row<float>(const float* pre, float* g, int64_t L) {
  const __m256 one = _mm256_set1_ps(1.0f);
  int64_t j = 0;
  for (; j + 8 <= L; j += 8) {
    const __m256 z = _mm256_loadu_ps(pre + j), sg = vd::cpu::avx2::sigmoid8(z);
    const __m256 grad = _mm256_mul_ps(sg, _mm256_fmadd_ps(z, _mm256_sub_ps(one, sg), one));
    _mm256_storeu_ps(g + j, _mm256_mul_ps(_mm256_loadu_ps(g + j), grad));
  }
  for (; j < L; ++j) g[j] *= vd::silu_grad(pre[j], vd::sigmoid<Math<float>>(pre[j]));
}
template <>
void tap_gradients<float>(const float* g, const float* padded, int64_t L, int64_t W, const float* w, float* dxs,
                          float* dw, float& gsum) {
  const int64_t halo = W - 1;
  __m256 vdw[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
  __m256 vg = _mm256_setzero_ps();
  int64_t j = 0;
  for (; j + 8 <= L; j += 8) {
    __m256 acc = _mm256_setzero_ps();
    for (int64_t k = 0; k < W; ++k) acc = _mm256_fmadd_ps(_mm256_set1_ps(w[k]), _mm256_loadu_ps(g + j + halo - k), acc);
    _mm256_storeu_ps(dxs + j, acc);
    const __m256 gj = _mm256_loadu_ps(g + j);
    vg = _mm256_add_ps(vg, gj);
    for (int64_t k = 0; k < W; ++k) vdw[k] = _mm256_fmadd_ps(gj, _mm256_loadu_ps(padded + j + k), vdw[k]);
  }
  for (int64_t k = 0; k < W; ++k) dw[k] = vd::cpu::avx2::hsum8(vdw[k]);
  gsum = vd::cpu::avx2::hsum8(vg);
  for (; j < L; ++j) {
    float acc = 0.0f;
    for (int64_t k = 0; k < W; ++k) acc = std::fma(w[k], g[j + halo - k], acc);
    dxs[j] = acc;
    for (int64_t k = 0; k < W; ++k) dw[k] = std::fma(g[j], padded[j + k], dw[k]);
    gsum += g[j];
  }
}
#endif

// Row `offset` in scan order behind `halo` zeros; the two directions are separate loops so each is a plain copy.
template <typename T, typename S>
void load_padded_row(const vd_conv1d_shape& s, const S* x, int64_t offset, std::vector<T>& padded, int64_t halo) {
  const int64_t L = s.length;
  std::fill(padded.begin(), padded.begin() + halo, T(0));
  T* dst = padded.data() + halo;
  const S* src = x + offset;
  if (s.reverse)
    for (int64_t j = 0; j < L; ++j) dst[j] = widen(src[L - 1 - j]);
  else
    for (int64_t j = 0; j < L; ++j) dst[j] = widen(src[j]);
}

// out row `offset` from values in scan order.
template <typename T, typename S> void store_row(const vd_conv1d_shape& s, const T* values, S* out, int64_t offset) {
  const int64_t L = s.length;
  S* dst = out + offset;
  if (s.reverse)
    for (int64_t j = 0; j < L; ++j) store(dst[L - 1 - j], values[j]);
  else
    for (int64_t j = 0; j < L; ++j) store(dst[j], values[j]);
}

// x, out (and dout, dx) in the storage type S; weights, bias and the arithmetic in the compute type T.
template <typename T, typename S>
void conv_forward_cpu(const vd_conv1d_shape& s, const S* x, const T* w, const T* bias, S* out) {
#pragma omp parallel if (s.batch * s.dim * s.length >= kParallelElements)
  {
    std::vector<T> padded(static_cast<size_t>(s.length + s.width - 1)), pre(static_cast<size_t>(s.length));
#pragma omp for schedule(static)
    for (int64_t bd = 0; bd < s.batch * s.dim; ++bd) {
      const int64_t b = bd / s.dim, d = bd % s.dim, offset = b * s.x_stride_batch + d * s.x_stride_dim;
      load_padded_row(s, x, offset, padded, s.width - 1);
      row_preactivation(padded.data(), s.length, s.width, w + d * s.width, bias ? bias[d] : T(0), pre.data());
      if (s.silu) silu_row(pre.data(), s.length);
      store_row(s, pre.data(), out, offset);
    }
  }
}

template <typename T, typename S>
void conv_backward_cpu(const vd_conv1d_shape& s, const S* x, const T* w, const T* bias, const S* dout, S* dx,
                       T* dw, T* dbias) {
  const int64_t L = s.length, W = s.width, halo = W - 1;
#pragma omp parallel if (s.batch * s.dim * s.length >= kParallelElements)
  {
    std::vector<T> padded(static_cast<size_t>(L + halo)), pre(static_cast<size_t>(L));
    // g[j] = dLoss/dpre at scan step j, followed by width-1 zeros (steps past the end).
    std::vector<T> g(static_cast<size_t>(L + halo)), dxs(static_cast<size_t>(L));
#pragma omp for schedule(static)
    for (int64_t d = 0; d < s.dim; ++d) {
      const T* wd = w + d * W;
      double dw_sum[4] = {0, 0, 0, 0}, db_sum = 0;
      for (int64_t b = 0; b < s.batch; ++b) {
        const int64_t offset = b * s.x_stride_batch + d * s.x_stride_dim;
        load_padded_row(s, x, offset, padded, s.width - 1);
        load_padded_row(s, dout, offset, g, 0);
        std::fill(g.begin() + L, g.end(), T(0));
        if (s.silu) {
          row_preactivation(padded.data(), L, W, wd, bias ? bias[d] : T(0), pre.data());
          silu_backward_row(pre.data(), g.data(), L);
        }
        T dw_row[4], gsum;
        tap_gradients(g.data(), padded.data(), L, W, wd, dxs.data(), dw_row, gsum);
        store_row(s, dxs.data(), dx, offset);
        for (int64_t k = 0; k < W; ++k) dw_sum[k] += static_cast<double>(dw_row[k]);
        db_sum += static_cast<double>(gsum);
      }
      for (int64_t k = 0; k < W; ++k) dw[d * W + k] = static_cast<T>(dw_sum[k]);
      if (dbias) dbias[d] = static_cast<T>(db_sum);
    }
  }
}

int check_conv(const vd_conv1d_shape* s) {
  using vd::fail;
  if (!s) return fail(VD_ERR_INVALID_ARGUMENT, "shape is NULL");
  if (s->batch < 1 || s->dim < 1 || s->length < 1)
    return fail(VD_ERR_INVALID_ARGUMENT, "batch, dim and length must be >= 1");
  if (s->width < 2 || s->width > 4)
    return fail(VD_ERR_INVALID_ARGUMENT, "width must be 2, 3 or 4, got " + std::to_string(s->width));
  if (s->x_stride_batch < 0 || s->x_stride_dim < 0) return fail(VD_ERR_INVALID_ARGUMENT, "strides must be >= 0");
  if (s->device < -1) return fail(VD_ERR_INVALID_ARGUMENT, "device must be -1 (CPU) or a CUDA index");
  return VD_OK;
}

}  // namespace

extern "C" int vd_causal_conv1d_fwd(const vd_conv1d_shape* shape, const void* x, const void* weight,
                                    const void* bias, void* out, void* stream) {
  if (int rc = check_conv(shape)) return rc;
  if (!x || !weight || !out) return vd::fail(VD_ERR_INVALID_ARGUMENT, "x, weight and out must not be NULL");
  if (shape->device >= 0) {
#ifdef VD_WITH_CUDA
    return vd_conv1d_cuda_fwd(shape, x, weight, bias, out, stream);
#else
    return vd::no_cuda_kernels();
#endif
  }
  return vd::cpu::run_on_cpu("causal conv1d forward", shape->dtype, stream, [&](auto t, auto st) {
    using T = decltype(t);
    using S = decltype(st);
    conv_forward_cpu(*shape, static_cast<const S*>(x), static_cast<const T*>(weight), static_cast<const T*>(bias),
                     static_cast<S*>(out));
  });
}

extern "C" int vd_causal_conv1d_bwd(const vd_conv1d_shape* shape, const void* x, const void* weight,
                                    const void* bias, const void* dout, void* dx, void* dweight, void* dbias,
                                    void* stream) {
  if (int rc = check_conv(shape)) return rc;
  if (!x || !weight || !dout || !dx || !dweight)
    return vd::fail(VD_ERR_INVALID_ARGUMENT, "x, weight, dout, dx and dweight must not be NULL");
  if ((bias == nullptr) != (dbias == nullptr))
    return vd::fail(VD_ERR_INVALID_ARGUMENT, "dbias must be given exactly when bias is");
  if (shape->device >= 0) {
#ifdef VD_WITH_CUDA
    return vd_conv1d_cuda_bwd(shape, x, weight, bias, dout, dx, dweight, dbias, stream);
#else
    return vd::no_cuda_kernels();
#endif
  }
  return vd::cpu::run_on_cpu("causal conv1d backward", shape->dtype, stream, [&](auto t, auto st) {
    using T = decltype(t);
    using S = decltype(st);
    conv_backward_cpu(*shape, static_cast<const S*>(x), static_cast<const T*>(weight), static_cast<const T*>(bias),
                      static_cast<const S*>(dout), static_cast<S*>(dx), static_cast<T*>(dweight),
                      static_cast<T*>(dbias));
  });
}

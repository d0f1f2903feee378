// The shared per-element math (src/elementwise.h) against its definitions in float64, and the SIMD
// versions (cpu/simd_*.h) against the shared scalar ones, lane by lane, bit for bit, over a sweep of
// inputs that crosses the softplus threshold, the exp clamps and the tiny-argument log1p branch.
// Also the float16/bfloat16 conversions (every 16-bit pattern round-trips; rounding is to nearest even).
#include "cpu/scan_math.h"
#include "cpu/simd_avx2.h"
#include "cpu/storage.h"
#include "src/elementwise.h"
#include <cmath>
#include <cstdio>
#include <vector>

namespace {

int failures = 0;

void expect(bool ok, const char* what, double x) {
  if (ok) return;
  if (++failures <= 20) std::printf("FAIL %s at x = %.9g\n", what, x);
}

using F = vd::cpu::Math<float>;
using D = vd::cpu::Math<double>;

std::vector<float> sweep() {
  std::vector<float> xs;
  for (float x = -100.0f; x <= 100.0f; x += 0.0371f) xs.push_back(x);
  for (float x : {0.0f, -0.0f, 19.999998f, 20.0f, 20.000002f, -87.3f, 88.7f, 1e-30f, -1e-30f, 1e-8f, -30.0f, -90.0f})
    xs.push_back(x);
  while (xs.size() % 16) xs.push_back(1.0f);
  return xs;
}

double relative(double got, double want) { return std::fabs(got - want) / std::fmax(std::fabs(want), 1e-30); }

void scalar_against_definitions(const std::vector<float>& xs) {
  for (float x : xs) {
    const double xd = x;
    const double sp = xd <= 20 ? std::log1p(std::exp(xd)) : xd, sg = 1 / (1 + std::exp(-xd));
    expect(vd::softplus<D>(xd) == sp, "softplus<double> is log1p(exp(x)) / x", x);
    expect(relative(vd::softplus<F>(x), sp) < 4e-7 || std::fabs(vd::softplus<F>(x) - sp) < 1e-37, "softplus<float>", x);
    expect(relative(vd::sigmoid<F>(x), sg) < 4e-7 || sg < 1e-37, "sigmoid<float>", x);
    expect(relative(vd::silu<F>(x), xd * sg) < 5e-7 || std::fabs(xd * sg) < 1e-35, "silu<float>", x);
    expect(vd::softplus_grad<D>(xd) == (xd <= 20 ? sg : 1.0), "softplus_grad<double>", x);
    const double s = sg, h = 1e-6;
    const double numeric = ((xd + h) / (1 + std::exp(-(xd + h))) - (xd - h) / (1 + std::exp(-(xd - h)))) / (2 * h);
    expect(std::fabs(vd::silu_grad(xd, s) - numeric) < 1e-6 * (1 + std::fabs(numeric)), "silu_grad", x);
  }
}

#ifdef VD_HAVE_AVX2
bool same_bits(float a, float b) { return vd::float_as_bits(a) == vd::float_as_bits(b); }

void avx2_against_scalar(const std::vector<float>& xs) {
  for (size_t i = 0; i < xs.size(); i += 8) {
    const __m256 v = _mm256_loadu_ps(xs.data() + i);
    float e[8], sp[8], sg[8], lg[8];
    _mm256_storeu_ps(e, vd::cpu::avx2::exp8(v));
    _mm256_storeu_ps(sp, vd::cpu::avx2::softplus8(v));
    _mm256_storeu_ps(sg, vd::cpu::avx2::sigmoid8(v));
    _mm256_storeu_ps(lg, vd::cpu::avx2::log8(_mm256_add_ps(_mm256_set1_ps(1.0f), vd::cpu::avx2::exp8(v))));
    for (int k = 0; k < 8; ++k) {
      const float x = xs[i + k];
      expect(same_bits(e[k], vd::cpu::exp_fast(x)), "avx2 exp8 == exp_fast", x);
      expect(same_bits(sp[k], vd::softplus<F>(x)), "avx2 softplus8 == softplus<float>", x);
      expect(same_bits(sg[k], vd::sigmoid<F>(x)), "avx2 sigmoid8 == sigmoid<float>", x);
      expect(same_bits(lg[k], vd::cpu::log_fast(1.0f + vd::cpu::exp_fast(x))), "avx2 log8 == log_fast", x);
    }
  }
}
#endif

void conversions() {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    const uint16_t bits = static_cast<uint16_t>(h);
    const float f16 = vd::f16_to_float(bits), bf16 = vd::bf16_to_float(bits);
    if (std::isnan(f16))
      expect(std::isnan(vd::f16_to_float(vd::float_to_f16(f16))), "f16 NaN stays NaN", f16);
    else
      expect(vd::float_to_f16(f16) == bits, "f16 round trip", f16);
    if (std::isnan(bf16))
      expect(std::isnan(vd::bf16_to_float(vd::float_to_bf16(bf16))), "bf16 NaN stays NaN", bf16);
    else
      expect(vd::float_to_bf16(bf16) == bits, "bf16 round trip", bf16);
  }
  // Ties go to even, values past the largest half become infinity, the smallest subnormal is 2^-24.
  expect(vd::f16_to_float(vd::float_to_f16(1.0f + 1.0f / 2048)) == 1.0f, "f16 tie to even (down)", 1.0 + 1.0 / 2048);
  expect(vd::f16_to_float(vd::float_to_f16(1.0f + 3.0f / 2048)) == 1.0f + 4.0f / 2048, "f16 tie to even (up)", 0);
  expect(vd::f16_to_float(vd::float_to_f16(65519.0f)) == 65504.0f, "f16 below the overflow tie", 65519);
  expect(std::isinf(vd::f16_to_float(vd::float_to_f16(65520.0f))), "f16 overflow to infinity", 65520);
  expect(vd::f16_to_float(0x0001) == std::ldexp(1.0f, -24), "f16 smallest subnormal", 0);
  expect(vd::float_to_f16(std::ldexp(1.0f, -25)) == 0, "f16 half of the smallest subnormal ties to 0", 0);
  expect(vd::float_to_f16(std::ldexp(1.5f, -25)) == 1, "f16 above half of the smallest subnormal", 0);
  // The kernels' storage conversions (F16C where built with it) are these conversions.
  for (uint32_t h = 0; h < 0x10000; ++h) {
    const float f = vd::f16_to_float(static_cast<uint16_t>(h));
    const float w = vd::cpu::widen(vd::cpu::f16{static_cast<uint16_t>(h)});
    expect(std::isnan(f) ? std::isnan(w) : vd::float_as_bits(w) == vd::float_as_bits(f), "widen(f16)", f);
  }
  for (int i = -300000; i <= 300000; ++i) {  // past the float16 range on both sides, and down into subnormals
    const float x = static_cast<float>(i) * 0.2371f;
    for (float v : {x, x * 1e-6f, x * 1e-9f}) {
      vd::cpu::f16 h{};
      vd::cpu::bf16 b{};
      vd::cpu::store(h, v);
      vd::cpu::store(b, v);
      expect(h.bits == vd::float_to_f16(v), "store(f16)", v);
      expect(b.bits == vd::float_to_bf16(v), "store(bf16)", v);
    }
  }
  expect(vd::bf16_to_float(vd::float_to_bf16(1.0f + 1.0f / 256)) == 1.0f, "bf16 tie to even (down)", 0);
  expect(vd::bf16_to_float(vd::float_to_bf16(1.0f + 3.0f / 256)) == 1.0f + 4.0f / 256, "bf16 tie to even (up)", 0);
}

}  // namespace

int main() {
  const std::vector<float> xs = sweep();
  scalar_against_definitions(xs);
#ifdef VD_HAVE_AVX2
  avx2_against_scalar(xs);
#else
  std::printf("(no AVX2 in this build: SIMD checks skipped)\n");
#endif
  conversions();
  if (failures) {
    std::printf("%d check(s) failed\n", failures);
    return 1;
  }
  std::printf("elementwise math: all checks passed (%zu inputs)\n", xs.size());
  return 0;
}

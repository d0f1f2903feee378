// CPU selective scan and causal conv1d against naive loops written straight from the definitions
// (float64), in float32 and float64, forward and reverse, with and without D / z / delta_bias / softplus,
// several group counts and state sizes (incl. ones that are not a multiple of the SIMD width).
// The backward is checked by central finite differences of a scalar loss in float64.
// float16/bfloat16: the inputs are rounded to the dtype first, and the reference is the float64 path on the
// rounded inputs, so that the tolerances measure the kernel (float32 state, one rounding per output), not
// the rounding of the inputs.
#include "src/elementwise.h"
#include "vd_scan.h"
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

namespace {

struct Case {
  int64_t batch, dim, length, dstate, groups;
  bool skip, gate, bias, softplus, reverse;
};

struct Data {
  std::vector<double> u, delta, A, B, C, D, z, delta_bias;
};

Data make_case_data(const Case& c, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> uni(-1, 1), pos(0.05, 0.6);
  auto fill = [&](size_t n, auto& dist) {
    std::vector<double> v(n);
    for (auto& x : v) x = dist(rng);
    return v;
  };
  const size_t x = c.batch * c.dim * c.length, bc = c.batch * c.groups * c.dstate * c.length;
  Data d{fill(x, uni), fill(x, pos), fill(c.dim * c.dstate, pos), fill(bc, uni), fill(bc, uni),
         fill(c.dim, uni), fill(x, uni), fill(c.dim, uni)};
  for (auto& a : d.A) a = -a * 4;
  if (!c.softplus) for (auto& v : d.delta_bias) v = std::fabs(v) * 0.2;
  return d;
}

// Straight from the definition in vd_scan.h.
std::vector<double> naive_scan(const Case& c, const Data& in) {
  std::vector<double> out(c.batch * c.dim * c.length);
  const int64_t L = c.length, N = c.dstate, per_group = c.dim / c.groups;
  for (int64_t b = 0; b < c.batch; ++b)
    for (int64_t d = 0; d < c.dim; ++d) {
      const int64_t g = d / per_group;
      std::vector<double> h(N, 0.0);
      for (int64_t k = 0; k < L; ++k) {
        const int64_t t = c.reverse ? L - 1 - k : k, xi = (b * c.dim + d) * L + t;
        double dt = in.delta[xi] + (c.bias ? in.delta_bias[d] : 0);
        if (c.softplus) dt = dt <= 20 ? std::log1p(std::exp(dt)) : dt;
        double y = 0;
        for (int64_t n = 0; n < N; ++n) {
          const int64_t bi = ((b * c.groups + g) * N + n) * L + t;
          h[n] = std::exp(dt * in.A[d * N + n]) * h[n] + dt * in.B[bi] * in.u[xi];
          y += h[n] * in.C[bi];
        }
        if (c.skip) y += in.D[d] * in.u[xi];
        if (c.gate) y *= in.z[xi] / (1 + std::exp(-in.z[xi]));
        out[xi] = y;
      }
    }
  return out;
}

vd_scan_shape shape_of(const Case& c, int32_t dtype) {
  return {c.batch, c.dim, c.length, c.dstate, c.groups, c.dim * c.length, c.length,
          c.groups * c.dstate * c.length, c.dstate * c.length, c.length, dtype, c.softplus, c.reverse, -1};
}

template <typename T, typename U> std::vector<T> cast(const std::vector<U>& v) { return std::vector<T>(v.begin(), v.end()); }

template <typename T> std::vector<double> native_scan(const Case& c, const Data& in, int32_t dtype) {
  auto u = cast<T>(in.u), delta = cast<T>(in.delta), A = cast<T>(in.A), B = cast<T>(in.B), C = cast<T>(in.C),
       D = cast<T>(in.D), z = cast<T>(in.z), bias = cast<T>(in.delta_bias);
  std::vector<T> out(u.size());
  const vd_scan_shape s = shape_of(c, dtype);
  const int rc = vd_selective_scan_fwd(&s, u.data(), delta.data(), A.data(), B.data(), C.data(),
                                       c.skip ? D.data() : nullptr, c.gate ? z.data() : nullptr,
                                       c.bias ? bias.data() : nullptr, out.data(), nullptr, nullptr);
  if (rc != VD_OK) std::printf("forward failed: %s\n", vd_last_error());
  return std::vector<double>(out.begin(), out.end());
}

int failures = 0;

void expect_close(const char* what, const Case& c, const std::vector<double>& got, const std::vector<double>& want,
                  double rtol, double atol) {
  double worst = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const double excess = std::fabs(got[i] - want[i]) - (atol + rtol * std::fabs(want[i]));
    if (excess > worst || std::isnan(got[i])) worst = std::isnan(got[i]) ? INFINITY : excess;
  }
  if (worst > 0) {
    ++failures;
    std::printf("FAIL %s b%lld d%lld L%lld n%lld g%lld skip%d gate%d bias%d sp%d rev%d: excess %g\n", what,
                (long long)c.batch, (long long)c.dim, (long long)c.length, (long long)c.dstate, (long long)c.groups,
                c.skip, c.gate, c.bias, c.softplus, c.reverse, worst);
  }
}

// Loss = sum(out * w) for fixed random w; its gradient wrt every input by central differences.
void check_gradients(const Case& c, unsigned seed) {
  Data in = make_case_data(c, seed);
  std::mt19937 rng(seed + 99);
  std::uniform_real_distribution<double> uni(-1, 1);
  std::vector<double> w(c.batch * c.dim * c.length);
  for (auto& v : w) v = uni(rng);
  auto loss = [&](const Data& d) {
    auto out = naive_scan(c, d);
    double l = 0;
    for (size_t i = 0; i < out.size(); ++i) l += out[i] * w[i];
    return l;
  };
  std::vector<double> du(in.u.size()), ddelta(in.u.size()), dA(in.A.size()), dB(in.B.size()), dC(in.C.size()),
      dD(in.D.size()), dz(in.u.size()), dbias(in.D.size()), out(in.u.size());
  const vd_scan_shape s = shape_of(c, VD_FLOAT64);
  // With checkpoints saved by the forward on odd seeds, recomputed by the backward on even ones.
  std::vector<double> checkpoints(vd_selective_scan_checkpoint_bytes(&s) / sizeof(double));
  const void* saved = nullptr;
  if (seed % 2) {
    vd_selective_scan_fwd(&s, in.u.data(), in.delta.data(), in.A.data(), in.B.data(), in.C.data(),
                          c.skip ? in.D.data() : nullptr, c.gate ? in.z.data() : nullptr,
                          c.bias ? in.delta_bias.data() : nullptr, out.data(), checkpoints.data(), nullptr);
    saved = checkpoints.data();
  }
  const int rc = vd_selective_scan_bwd(&s, in.u.data(), in.delta.data(), in.A.data(), in.B.data(), in.C.data(),
                                       c.skip ? in.D.data() : nullptr, c.gate ? in.z.data() : nullptr,
                                       c.bias ? in.delta_bias.data() : nullptr, w.data(), du.data(), ddelta.data(),
                                       dA.data(), dB.data(), dC.data(), c.skip ? dD.data() : nullptr,
                                       c.gate ? dz.data() : nullptr, c.bias ? dbias.data() : nullptr, saved, nullptr);
  if (rc != VD_OK) {
    ++failures;
    std::printf("backward failed: %s\n", vd_last_error());
    return;
  }
  auto numeric = [&](std::vector<double> Data::*field) {
    std::vector<double> g((in.*field).size());
    for (size_t i = 0; i < g.size(); ++i) {
      Data p = in, m = in;
      (p.*field)[i] += 1e-6;
      (m.*field)[i] -= 1e-6;
      g[i] = (loss(p) - loss(m)) / 2e-6;
    }
    return g;
  };
  expect_close("du", c, du, numeric(&Data::u), 1e-5, 1e-7);
  expect_close("ddelta", c, ddelta, numeric(&Data::delta), 1e-5, 1e-7);
  expect_close("dA", c, dA, numeric(&Data::A), 1e-5, 1e-7);
  expect_close("dB", c, dB, numeric(&Data::B), 1e-5, 1e-7);
  expect_close("dC", c, dC, numeric(&Data::C), 1e-5, 1e-7);
  if (c.skip) expect_close("dD", c, dD, numeric(&Data::D), 1e-5, 1e-7);
  if (c.gate) expect_close("dz", c, dz, numeric(&Data::z), 1e-5, 1e-7);
  if (c.bias) expect_close("ddelta_bias", c, dbias, numeric(&Data::delta_bias), 1e-5, 1e-7);
}

// ---- float16 / bfloat16 ----

uint16_t to_half(int32_t dtype, double v) {
  return dtype == VD_BFLOAT16 ? vd::float_to_bf16(static_cast<float>(v)) : vd::float_to_f16(static_cast<float>(v));
}
double from_half(int32_t dtype, uint16_t h) { return dtype == VD_BFLOAT16 ? vd::bf16_to_float(h) : vd::f16_to_float(h); }
std::vector<uint16_t> to_half(int32_t dtype, const std::vector<double>& v) {
  std::vector<uint16_t> out(v.size());
  for (size_t i = 0; i < v.size(); ++i) out[i] = to_half(dtype, v[i]);
  return out;
}
std::vector<double> from_half(int32_t dtype, const std::vector<uint16_t>& v) {
  std::vector<double> out(v.size());
  for (size_t i = 0; i < v.size(); ++i) out[i] = from_half(dtype, v[i]);
  return out;
}
// Activations rounded to the dtype, weights to float32 (what the 16-bit path receives).
void round_inputs(int32_t dtype, Data& d) {
  for (auto* v : {&d.u, &d.delta, &d.B, &d.C, &d.z}) *v = from_half(dtype, to_half(dtype, *v));
  for (auto* v : {&d.A, &d.D, &d.delta_bias})
    for (auto& x : *v) x = static_cast<float>(x);
}
double max_abs(const std::vector<double>& v) {
  double m = 0;
  for (double x : v) m = std::fmax(m, std::fabs(x));
  return m;
}

struct Grads {
  std::vector<double> out, du, ddelta, dA, dB, dC, dD, dz, dbias;
};

// Forward + backward through the C ABI: in float64 (dtype VD_FLOAT64) or a 16-bit dtype.
Grads run_scan(const Case& c, const Data& in, const std::vector<double>& dout, int32_t dtype) {
  const vd_scan_shape s = shape_of(c, dtype);
  const size_t nx = in.u.size(), nbc = in.B.size(), nd = in.D.size();
  Grads g{std::vector<double>(nx), std::vector<double>(nx), std::vector<double>(nx), std::vector<double>(in.A.size()),
          std::vector<double>(nbc), std::vector<double>(nbc), std::vector<double>(nd), std::vector<double>(nx),
          std::vector<double>(nd)};
  int rc;
  if (dtype == VD_FLOAT64) {
    rc = vd_selective_scan_fwd(&s, in.u.data(), in.delta.data(), in.A.data(), in.B.data(), in.C.data(), in.D.data(),
                               in.z.data(), in.delta_bias.data(), g.out.data(), nullptr, nullptr);
    if (rc == VD_OK)
      rc = vd_selective_scan_bwd(&s, in.u.data(), in.delta.data(), in.A.data(), in.B.data(), in.C.data(), in.D.data(),
                                 in.z.data(), in.delta_bias.data(), dout.data(), g.du.data(), g.ddelta.data(),
                                 g.dA.data(), g.dB.data(), g.dC.data(), g.dD.data(), g.dz.data(), g.dbias.data(),
                                 nullptr, nullptr);
  } else {
    auto u = to_half(dtype, in.u), delta = to_half(dtype, in.delta), B = to_half(dtype, in.B),
         C = to_half(dtype, in.C), z = to_half(dtype, in.z), go = to_half(dtype, dout);
    auto A = cast<float>(in.A), D = cast<float>(in.D), bias = cast<float>(in.delta_bias);
    std::vector<uint16_t> out(nx), du(nx), ddelta(nx), dB(nbc), dC(nbc), dz(nx);
    std::vector<float> dA(A.size()), dD(nd), dbias(nd);
    std::vector<float> checkpoints(vd_selective_scan_checkpoint_bytes(&s) / sizeof(float));
    rc = vd_selective_scan_fwd(&s, u.data(), delta.data(), A.data(), B.data(), C.data(), D.data(), z.data(), bias.data(),
                               out.data(), checkpoints.data(), nullptr);
    if (rc == VD_OK)
      rc = vd_selective_scan_bwd(&s, u.data(), delta.data(), A.data(), B.data(), C.data(), D.data(), z.data(),
                                 bias.data(), go.data(), du.data(), ddelta.data(), dA.data(), dB.data(), dC.data(),
                                 dD.data(), dz.data(), dbias.data(), checkpoints.data(), nullptr);
    g = {from_half(dtype, out), from_half(dtype, du), from_half(dtype, ddelta), cast<double>(dA), from_half(dtype, dB),
         from_half(dtype, dC), cast<double>(dD), from_half(dtype, dz), cast<double>(dbias)};
  }
  if (rc != VD_OK) {
    ++failures;
    std::printf("FAIL scan dtype %d: %s\n", dtype, vd_last_error());
  }
  return g;
}

// Tolerances: outputs and activation gradients are rounded once, to nearest, to the dtype (at most half an ulp:
// 2^-8 relative for bfloat16, 2^-11 for float16; a truncating conversion fails this), plus the float32
// arithmetic, bounded relative to the largest value of the tensor (sums of L * dstate terms). float32 results
// (dA, dD, ddelta_bias) get only the latter.
double half_rtol(int32_t dtype) { return (dtype == VD_BFLOAT16 ? 1.0 / 256 : 1.0 / 2048) * 1.02; }

void check_half_scan(const Case& c, unsigned seed, int32_t dtype) {
  Data in = make_case_data(c, seed);
  round_inputs(dtype, in);
  std::mt19937 rng(seed + 7);
  std::uniform_real_distribution<double> uni(-1, 1);
  std::vector<double> dout(in.u.size());
  for (auto& v : dout) v = from_half(dtype, to_half(dtype, uni(rng)));
  const Grads want = run_scan(c, in, dout, VD_FLOAT64), got = run_scan(c, in, dout, dtype);
  const double rtol = half_rtol(dtype), floor = 2e-5;
  const char* name = dtype == VD_BFLOAT16 ? "bf16" : "f16";
  auto check = [&](const char* what, const std::vector<double>& g, const std::vector<double>& w, double r) {
    char label[64];
    std::snprintf(label, sizeof label, "%s %s", name, what);
    expect_close(label, c, g, w, r, floor * std::fmax(1.0, max_abs(w)));
  };
  check("out", got.out, want.out, rtol);
  check("du", got.du, want.du, rtol);
  check("ddelta", got.ddelta, want.ddelta, rtol);
  check("dz", got.dz, want.dz, rtol);
  check("dB", got.dB, want.dB, rtol);
  check("dC", got.dC, want.dC, rtol);
  check("dA", got.dA, want.dA, 1e-4);
  check("dD", got.dD, want.dD, 1e-4);
  check("ddelta_bias", got.dbias, want.dbias, 1e-4);
}

// Causal conv1d (SiLU) in a 16-bit dtype against float64 on the rounded inputs, forward and backward.
void check_half_conv(int64_t batch, int64_t dim, int64_t length, int64_t width, int reverse, int32_t dtype) {
  std::mt19937 rng(static_cast<unsigned>(dim * 31 + length + width));
  std::uniform_real_distribution<double> uni(-1, 1);
  const size_t n = batch * dim * length;
  std::vector<double> x(n), dout(n), w(dim * width), b(dim);
  for (auto* v : {&x, &dout})
    for (auto& e : *v) e = from_half(dtype, to_half(dtype, uni(rng)));
  for (auto* v : {&w, &b})
    for (auto& e : *v) e = static_cast<float>(uni(rng) * 0.5);
  vd_conv1d_shape s{batch, dim, length, width, dim * length, length, VD_FLOAT64, 1, reverse, -1};
  std::vector<double> out(n), dx(n), dw(w.size()), db(b.size());
  int rc = vd_causal_conv1d_fwd(&s, x.data(), w.data(), b.data(), out.data(), nullptr);
  if (rc == VD_OK) rc = vd_causal_conv1d_bwd(&s, x.data(), w.data(), b.data(), dout.data(), dx.data(), dw.data(), db.data(), nullptr);
  s.dtype = dtype;
  auto hx = to_half(dtype, x), hdout = to_half(dtype, dout);
  auto fw = cast<float>(w), fb = cast<float>(b);
  std::vector<uint16_t> hout(n), hdx(n);
  std::vector<float> fdw(w.size()), fdb(b.size());
  if (rc == VD_OK) rc = vd_causal_conv1d_fwd(&s, hx.data(), fw.data(), fb.data(), hout.data(), nullptr);
  if (rc == VD_OK)
    rc = vd_causal_conv1d_bwd(&s, hx.data(), fw.data(), fb.data(), hdout.data(), hdx.data(), fdw.data(), fdb.data(), nullptr);
  if (rc != VD_OK) {
    ++failures;
    std::printf("FAIL conv dtype %d: %s\n", dtype, vd_last_error());
    return;
  }
  const double rtol = half_rtol(dtype);
  const Case c{batch, dim, length, 0, 1, false, true, true, false, reverse != 0};
  expect_close("half conv out", c, from_half(dtype, hout), out, rtol, 1e-6);
  expect_close("half conv dx", c, from_half(dtype, hdx), dx, rtol, 1e-6);
  expect_close("half conv dweight", c, cast<double>(fdw), dw, 1e-4, 1e-4 * max_abs(dw));
  expect_close("half conv dbias", c, cast<double>(fdb), db, 1e-4, 1e-4 * max_abs(db));
}

}  // namespace

int main() {
  const Case cases[] = {
      {2, 4, 1, 16, 1, true, true, true, true, false},    {2, 4, 5, 16, 1, true, true, true, true, true},
      {1, 6, 130, 3, 2, false, false, false, false, false}, {2, 4, 200, 16, 2, true, true, true, true, true},
      {1, 2, 300, 37, 1, true, false, true, true, false},  {1, 3, 65, 8, 3, false, true, false, true, true},
  };
  unsigned seed = 1;
  for (const auto& c : cases) {
    const Data in = make_case_data(c, seed++);
    const auto want = naive_scan(c, in);
    expect_close("fwd f64", c, native_scan<double>(c, in, VD_FLOAT64), want, 1e-12, 1e-12);
    expect_close("fwd f32", c, native_scan<float>(c, in, VD_FLOAT32), want, 1e-4, 1e-4);
  }
  const Case small[] = {
      {2, 4, 7, 3, 2, true, true, true, true, false},   {1, 2, 70, 5, 1, true, true, true, true, true},
      {2, 2, 3, 9, 1, false, false, false, false, true}, {1, 3, 66, 2, 1, true, false, true, false, false},
  };
  for (const auto& c : small) check_gradients(c, seed++);
  const Case half_cases[] = {
      {2, 4, 200, 16, 2, true, true, true, true, false}, {1, 3, 70, 5, 1, true, true, true, true, true},
      {2, 2, 9, 37, 1, true, true, true, false, false},
  };
  for (int32_t dtype : {VD_BFLOAT16, VD_FLOAT16}) {
    for (const auto& c : half_cases) check_half_scan(c, seed++, dtype);
    for (int reverse = 0; reverse < 2; ++reverse) {
      check_half_conv(2, 5, 150, 4, reverse, dtype);
      check_half_conv(1, 3, 7, 2, reverse, dtype);
    }
  }
  if (failures) {
    std::printf("%d check(s) failed\n", failures);
    return 1;
  }
  std::printf("selective scan CPU: all checks passed\n");
  return 0;
}

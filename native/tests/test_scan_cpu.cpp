// CPU selective scan and causal conv1d against naive loops written straight from the definitions
// (float64), in float32 and float64, forward and reverse, with and without D / z / delta_bias / softplus,
// several group counts and state sizes (incl. ones that are not a multiple of the SIMD width).
// The backward is checked by central finite differences of a scalar loss in float64.
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

template <typename T> std::vector<T> cast(const std::vector<double>& v) { return std::vector<T>(v.begin(), v.end()); }

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
  if (failures) {
    std::printf("%d check(s) failed\n", failures);
    return 1;
  }
  std::printf("selective scan CPU: all checks passed\n");
  return 0;
}

// Two bit-for-bit checks of the 16-state scan steps on random data:
// - the backward's AVX2 chunk functions (recompute_chunk, adjoint_chunk: decays first, dh and dA in registers)
//   against the per-step AVX2 functions they replace (forward_step with decays, AdjointStep), on every AVX2 CPU;
// - the AVX-512 scan steps (cpu/simd_avx512.h) against the AVX2 ones (cpu/scan_steps.h): forward_chunk,
//   forward_step (with decays) and the adjoint step, where the CPU has AVX-512F; elsewhere it says so (the
//   library then never takes that path).
#include "cpu/scan_steps.h"
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

#ifdef VD_HAVE_AVX512
namespace {

using namespace vd::cpu;
constexpr int64_t kN = 16, kLen = 64;

struct StepData {
  std::vector<float> a, b, c, dt, dtu, h, dh, dA, dB, dC;
};

StepData make_data(unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> uni(-1, 1), pos(0.01f, 2.0f);
  auto fill = [&](size_t n, auto& dist) {
    std::vector<float> v(n);
    for (auto& x : v) x = dist(rng);
    return v;
  };
  StepData d{fill(kN, pos), fill(kN * kLen, uni), fill(kN * kLen, uni), fill(kLen, pos), fill(kLen, uni),
             fill(kN, uni),  fill(kN, uni),        fill(kN, uni),        fill(kN * kLen, uni), fill(kN * kLen, uni)};
  for (auto& x : d.a) x = -4 * x;
  return d;
}

bool same(const std::vector<float>& x, const std::vector<float>& y) {
  return x.size() == y.size() && std::memcmp(x.data(), y.data(), x.size() * sizeof(float)) == 0;
}

// Runs a chunk forward, every step again with decays, and the adjoint over the chunk, on one path.
std::vector<float> run_path(const StepData& in, bool use_avx512) {
  avx512::enabled = use_avx512;
  std::vector<float> h = in.h, y(kLen), hs(kN * kLen), decays(kN * kLen), out;
  forward_chunk<float>(in.a.data(), in.b.data(), in.c.data(), in.dt.data(), in.dtu.data(), kLen, h.data(), y.data(), kN);
  out.insert(out.end(), h.begin(), h.end());
  out.insert(out.end(), y.begin(), y.end());
  for (int64_t j = 0; j < kLen; ++j) {
    const float* prev = j ? hs.data() + (j - 1) * kN : in.h.data();
    y[j] = forward_step<float>(in.a.data(), in.b.data() + j * kN, in.c.data() + j * kN, in.dt[j], in.dtu[j], prev,
                               hs.data() + j * kN, decays.data() + j * kN, kN);
  }
  out.insert(out.end(), y.begin(), y.end());
  out.insert(out.end(), hs.begin(), hs.end());
  out.insert(out.end(), decays.begin(), decays.end());
  std::vector<float> dh = in.dh, dA = in.dA, dB = in.dB, dC = in.dC;
  for (int64_t j = kLen - 1; j >= 0; --j) {
    const AdjointStep<float> step{in.a.data(), in.b.data() + j * kN, in.c.data() + j * kN, hs.data() + j * kN,
                                  j ? hs.data() + (j - 1) * kN : in.h.data(), decays.data() + j * kN,
                                  in.c[j], in.dt[j], in.dtu[j], dh.data(), dA.data(), dB.data() + j * kN,
                                  dC.data() + j * kN};
    float ddt, ddtu;
    step.run(kN, ddt, ddtu);
    out.push_back(ddt);
    out.push_back(ddtu);
  }
  for (const auto* v : {&dh, &dA, &dB, &dC}) out.insert(out.end(), v->begin(), v->end());
  return out;
}

// The backward's recompute and adjoint over one chunk, per step (the reference) or with the chunk functions, on
// the AVX2 path: states, decays, sums, ddt/ddtu and the carried/accumulated gradients.
std::vector<float> run_backward_chunk(const StepData& in, bool chunk_functions) {
  avx512::enabled = false;
  std::vector<float> hs(kN * kLen), decays(kN * kLen), acc(kLen), ddt(kLen), ddtu(kLen), out;
  std::vector<float> dh = in.dh, dA = in.dA, dB = in.dB, dC = in.dC;
  const float* h0 = in.h.data();
  const std::vector<float>& dy = in.dtu;  // any values will do
  if (chunk_functions) {
    recompute_chunk<float>(in.a.data(), in.b.data(), in.c.data(), in.dt.data(), in.dtu.data(), kLen, h0, hs.data(),
                           decays.data(), acc.data(), kN);
    adjoint_chunk<float>(in.a.data(), in.b.data(), in.c.data(), hs.data(), h0, decays.data(), dy.data(), in.dt.data(),
                         in.dtu.data(), kLen, dh.data(), dA.data(), dB.data(), dC.data(), ddt.data(), ddtu.data(), kN);
  } else {
    for (int64_t j = 0; j < kLen; ++j)
      acc[j] = forward_step<float>(in.a.data(), in.b.data() + j * kN, in.c.data() + j * kN, in.dt[j], in.dtu[j],
                                   j ? hs.data() + (j - 1) * kN : h0, hs.data() + j * kN, decays.data() + j * kN, kN);
    for (int64_t j = kLen - 1; j >= 0; --j) {
      const AdjointStep<float> step{in.a.data(), in.b.data() + j * kN, in.c.data() + j * kN, hs.data() + j * kN,
                                    j ? hs.data() + (j - 1) * kN : h0, decays.data() + j * kN, dy[j], in.dt[j],
                                    in.dtu[j], dh.data(), dA.data(), dB.data() + j * kN, dC.data() + j * kN};
      step.run(kN, ddt[j], ddtu[j]);
    }
  }
  for (const auto* v : {&hs, &decays, &acc, &ddt, &ddtu, &dh, &dA, &dB, &dC}) out.insert(out.end(), v->begin(), v->end());
  return out;
}

}  // namespace
#endif

int main() {
#ifdef VD_HAVE_AVX512
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) {
    std::printf("skipped: this CPU has no AVX2/FMA (the library uses the generic path)\n");
    return 0;
  }
  const bool wide = avx512::detect();
  // run(in, false) against run(in, true) on 20 random data sets.
  auto agree = [](auto run, const char* what) {
    bool ok = true;
    for (unsigned seed = 1; seed <= 20; ++seed) {
      const StepData in = make_data(seed);
      if (same(run(in, false), run(in, true))) continue;
      ok = false;
      std::printf("FAIL seed %u: %s differ\n", seed, what);
    }
    return ok;
  };
  if (!agree(run_backward_chunk, "the AVX2 backward chunk functions and the per-step functions")) return 1;
  std::printf("backward chunks: the AVX2 chunk functions agree with the per-step functions bit for bit\n");
  if (!wide) {
    std::printf("skipped: this CPU has no AVX-512F (the library uses the AVX2 path)\n");
    return 0;
  }
  if (!agree(run_path, "the AVX2 and AVX-512 scan steps")) return 1;
  std::printf("scan steps: AVX-512 and AVX2 paths agree bit for bit\n");
#else
  std::printf("skipped: build without AVX2/AVX-512 code\n");
#endif
  return 0;
}

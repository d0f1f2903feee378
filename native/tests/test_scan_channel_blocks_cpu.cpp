// The channel-block float forward (cpu/scan_channel_blocks.h) against the row kernel (the library with
// VD_NO_CHANNEL_BLOCKS set): outputs and checkpoints must match bit for bit, for float and bfloat16 storage,
// both directions, with and without D/z/bias, odd lengths (partial chunks), batch > 1 and two groups; and the same
// with the output written over delta (in place, as inference does), on every path.
// Blocks: the library's own 16-channel path where the CPU has AVX-512F; the 8-channel AVX2 kernel, run from
// the header, everywhere (the library does not take it: slower, see channel_block_width).
// `test_scan_channel_blocks_cpu --bench` prints the time of the row kernel and of the 8-wide blocks.
#include "cpu/scan_channel_blocks.h"
#include "vd_scan.h"
#include "vimdense.h"
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace {

struct Case {
  int64_t batch, dim, length, dstate, groups;
  bool gate, skip, bias, reverse;
};

struct Buffers {
  std::vector<float> u, delta, A, B, C, D, z, bias;
};

Buffers make(const Case& c, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> uni(-1, 1), pos(0.1f, 2.0f);
  auto fill = [&](size_t n, auto& dist) {
    std::vector<float> v(n);
    for (auto& x : v) x = dist(rng);
    return v;
  };
  const size_t act = c.batch * c.dim * c.length, bc = c.batch * c.groups * c.dstate * c.length;
  Buffers b{fill(act, uni), fill(act, uni), fill(c.dim * c.dstate, pos), fill(bc, uni), fill(bc, uni),
            fill(c.dim, uni), fill(act, uni), fill(c.dim, uni)};
  for (auto& a : b.A) a = -a;
  return b;
}

vd_scan_shape shape_of(const Case& c, int32_t dtype) {
  return {c.batch, c.dim, c.length, c.dstate, c.groups, c.dim * c.length, c.length,
          c.groups * c.dstate * c.length, c.dstate * c.length, c.length, dtype, 1, c.reverse, -1};
}

// Storage as bfloat16 (truncated: any bit pattern will do as input) or float.
std::vector<uint16_t> to_bf16(const std::vector<float>& v) {
  std::vector<uint16_t> out(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    uint32_t bits;
    std::memcpy(&bits, &v[i], 4);
    out[i] = static_cast<uint16_t>(bits >> 16);
  }
  return out;
}

enum class Path { Rows, Library, Blocks8 };

void select(Path path) {
  if (path == Path::Rows)
    setenv("VD_NO_CHANNEL_BLOCKS", "1", 1);
  else
    unsetenv("VD_NO_CHANNEL_BLOCKS");
}

// Runs one forward; returns output bytes followed by checkpoint bytes. over_delta: the output is written over
// the delta buffer (vd_scan.h's in-place contract).
std::vector<unsigned char> run(const Case& c, const Buffers& in, int32_t dtype, Path path, bool over_delta = false) {
  select(path);
  const vd_scan_shape s = shape_of(c, dtype);
  const size_t elem = dtype == VD_BFLOAT16 ? 2 : 4;
  std::vector<unsigned char> out(in.u.size() * elem), checkpoints(vd_selective_scan_checkpoint_bytes(&s));
  std::vector<uint16_t> u16 = to_bf16(in.u), d16 = to_bf16(in.delta), b16 = to_bf16(in.B), c16 = to_bf16(in.C),
                        z16 = to_bf16(in.z);
  const bool half = dtype == VD_BFLOAT16;
  const void* u = half ? (const void*)u16.data() : in.u.data();
  const void* delta = half ? (const void*)d16.data() : in.delta.data();
  if (over_delta) {
    std::memcpy(out.data(), delta, out.size());
    delta = out.data();
  }
  const void* B = half ? (const void*)b16.data() : in.B.data();
  const void* C = half ? (const void*)c16.data() : in.C.data();
  const void* z = half ? (const void*)z16.data() : in.z.data();
  const float* D = c.skip ? in.D.data() : nullptr;
  const float* bias = c.bias ? in.bias.data() : nullptr;
  if (path == Path::Blocks8) {
    using vd::cpu::bf16;
    auto* ck = reinterpret_cast<float*>(checkpoints.data());
    if (half)
      vd::cpu::scan_forward_channel_blocks<8, bf16>(
          s, {(const bf16*)u, (const bf16*)delta, (const bf16*)B, (const bf16*)C, c.gate ? (const bf16*)z : nullptr,
              in.A.data(), D, bias}, reinterpret_cast<bf16*>(out.data()), ck);
    else
      vd::cpu::scan_forward_channel_blocks<8, float>(
          s, {(const float*)u, (const float*)delta, (const float*)B, (const float*)C, c.gate ? (const float*)z : nullptr,
              in.A.data(), D, bias}, reinterpret_cast<float*>(out.data()), ck);
  } else {
    const int rc = vd_selective_scan_fwd(&s, u, delta, in.A.data(), B, C, D, c.gate ? z : nullptr, bias, out.data(),
                                         checkpoints.data(), nullptr);
    if (rc != VD_OK) std::printf("forward failed: %s\n", vd_last_error());
  }
  out.insert(out.end(), checkpoints.begin(), checkpoints.end());
  return out;
}

double seconds(const Case& c, const Buffers& in, Path path, int reps) {
  double best = 1e30;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    run(c, in, VD_FLOAT32, path);
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) {
    std::printf("no AVX2/FMA on this CPU: the channel-block path is never taken\n");
    return 0;
  }
  const bool wide = vd::cpu::avx512::enabled;
  std::printf("AVX-512F path: %s\n", wide ? "yes (16-channel blocks in the library)" : "no (8-channel blocks from the header)");
  if (argc > 1 && std::string(argv[1]) == "--bench") {
    // Vim-Ti: dim 384, 16 states; lengths of 224, 512, 1024 and 1248 inputs (+1 class token).
    for (int64_t L : {197, 1025, 4097, 6085}) {
      const Case c{1, 384, L, 16, 1, true, true, true, false};
      const Buffers in = make(c, 7);
      // Alternating, best of several: the machine may be shared.
      double rows = 1e30, blocks = 1e30;
      for (int round = 0; round < 3; ++round) {
        rows = std::min(rows, seconds(c, in, Path::Rows, 5));
        blocks = std::min(blocks, seconds(c, in, wide ? Path::Library : Path::Blocks8, 5));
      }
      std::printf("L %5lld  rows %8.3f ms  channel blocks (incl. checkpoints) %8.3f ms  speed-up %.2fx\n", (long long)L, rows * 1e3,
                  blocks * 1e3, rows / blocks);
    }
    return 0;
  }
  const Case cases[] = {
      {1, 16, 64, 16, 1, false, false, false, false},  {2, 48, 150, 16, 1, true, true, true, false},
      {2, 48, 150, 16, 1, true, true, true, true},     {1, 64, 7, 16, 2, true, false, true, true},
      {3, 32, 129, 12, 1, false, true, false, false},  {1, 40, 70, 16, 1, true, true, true, false},  {1, 24, 65, 16, 1, true, true, true, true},
  };
  int failures = 0;
  unsigned seed = 1;
  for (const Case& c : cases)
    for (int32_t dtype : {VD_FLOAT32, VD_BFLOAT16}) {
      const Buffers in = make(c, seed++);
      const auto rows = run(c, in, dtype, Path::Rows);
      for (bool over_delta : {false, true})
        if ((over_delta && rows != run(c, in, dtype, Path::Rows, true)) || rows != run(c, in, dtype, Path::Blocks8, over_delta) ||
            (wide && rows != run(c, in, dtype, Path::Library, over_delta))) {
          std::printf("FAIL: batch %lld dim %lld L %lld dstate %lld groups %lld reverse %d dtype %d over delta %d differs\n",
                      (long long)c.batch, (long long)c.dim, (long long)c.length, (long long)c.dstate,
                      (long long)c.groups, c.reverse, dtype, over_delta);
          ++failures;
        }
    }
  std::printf(failures ? "%d failures\n" : "channel blocks: all cases bit-identical to the row kernel\n", failures);
  return failures ? 1 : 0;
}

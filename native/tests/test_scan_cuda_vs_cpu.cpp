// CUDA selective scan and causal conv1d against the CPU kernels, forward and backward, for float32,
// bfloat16 and float16 inputs, on shapes with length > 2048 and batch*dim > 65535. Without a GPU (or without
// the CUDA kernels) it prints "skipped: no GPU" and succeeds. The forward is also run with its output written
// over delta (the in-place case vd_scan.h allows) and must then give the same bits.
// Device memory: see cuda_test_support.h.
#include "vd_scan.h"
#include "cuda_test_support.h"
#include "src/elementwise.h"
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

namespace {

int failures = 0;

// A host array in float plus its device copy in the tested dtype; round() makes the host values exactly the
// device ones so that both paths compute on identical inputs.
struct DeviceArray {
  std::vector<float> host;
  CUdeviceptr dev = 0;
  int32_t dtype = VD_FLOAT32;

  DeviceArray(std::vector<float> values, int32_t type) : host(std::move(values)), dtype(type) {
    for (auto& v : host) v = dtype == VD_BFLOAT16 ? vd::bf16_to_float(vd::float_to_bf16(v)) : dtype == VD_FLOAT16 ? vd::f16_to_float(vd::float_to_f16(v)) : v;
    drv.alloc(&dev, host.size() * elem());
    upload();
  }
  DeviceArray(const DeviceArray&) = delete;
  ~DeviceArray() { drv.free(dev); }
  size_t elem() const { return dtype == VD_FLOAT32 ? 4 : 2; }
  void upload() {
    if (dtype == VD_FLOAT32) { drv.to_device(dev, host.data(), host.size() * 4); return; }
    std::vector<uint16_t> h(host.size());
    for (size_t i = 0; i < h.size(); ++i) h[i] = dtype == VD_BFLOAT16 ? vd::float_to_bf16(host[i]) : vd::float_to_f16(host[i]);
    drv.to_device(dev, h.data(), h.size() * 2);
  }
  std::vector<float> download() const {
    std::vector<float> out(host.size());
    if (dtype == VD_FLOAT32) { drv.to_host(out.data(), dev, out.size() * 4); return out; }
    std::vector<uint16_t> h(host.size());
    drv.to_host(h.data(), dev, h.size() * 2);
    for (size_t i = 0; i < h.size(); ++i) out[i] = dtype == VD_BFLOAT16 ? vd::bf16_to_float(h[i]) : vd::f16_to_float(h[i]);
    return out;
  }
  void* ptr() const { return reinterpret_cast<void*>(dev); }
};

std::vector<float> random_vector(size_t n, std::mt19937& rng, float scale, float shift) {
  std::normal_distribution<float> dist(0.f, 1.f);
  std::vector<float> v(n);
  for (auto& x : v) x = dist(rng) * scale + shift;
  return v;
}

void compare(const char* what, const std::vector<float>& cpu, const std::vector<float>& gpu, double rtol) {
  double scale = 1;
  for (float v : cpu) scale = std::fmax(scale, std::fabs(v));
  double worst = 0;
  for (size_t i = 0; i < cpu.size(); ++i) {
    const double excess = std::fabs(cpu[i] - gpu[i]) - rtol * (scale * 0.1 + std::fabs(cpu[i]));
    if (!(excess <= worst)) worst = std::isnan(excess) ? INFINITY : excess;
  }
  if (worst > 0) {
    ++failures;
    std::printf("FAIL %s: exceeds tolerance by %g\n", what, worst);
  }
}

void scan_case(int64_t batch, int64_t dim, int64_t length, int64_t dstate, int64_t groups, int32_t dtype, int reverse,
               double rtol) {
  std::mt19937 rng(static_cast<unsigned>(batch * 131 + dim + length + dstate));
  const size_t x = batch * dim * length, bc = batch * groups * dstate * length;
  DeviceArray u(random_vector(x, rng, 1, 0), dtype), delta(random_vector(x, rng, 0.5f, -1), dtype),
      B(random_vector(bc, rng, 1, 0), dtype), C(random_vector(bc, rng, 1, 0), dtype), z(random_vector(x, rng, 1, 0), dtype),
      dout(random_vector(x, rng, 1, 0), dtype);
  auto a_host = random_vector(dim * dstate, rng, 0.5f, 0);
  for (auto& a : a_host) a = -std::exp(a);
  DeviceArray A(a_host, VD_FLOAT32), D(random_vector(dim, rng, 1, 0), VD_FLOAT32), bias(random_vector(dim, rng, 0.2f, 0), VD_FLOAT32);
  DeviceArray out(std::vector<float>(x), dtype), du(std::vector<float>(x), dtype), ddelta(std::vector<float>(x), dtype),
      dz(std::vector<float>(x), dtype), dB(std::vector<float>(bc), dtype), dC(std::vector<float>(bc), dtype),
      dA(std::vector<float>(dim * dstate), VD_FLOAT32), dD(std::vector<float>(dim), VD_FLOAT32),
      dbias(std::vector<float>(dim), VD_FLOAT32);
  vd_scan_shape s{batch, dim, length, dstate, groups, dim * length, length, groups * dstate * length, dstate * length,
                  length, dtype, 1, reverse, 0};
  int rc = vd_selective_scan_fwd(&s, u.ptr(), delta.ptr(), A.ptr(), B.ptr(), C.ptr(), D.ptr(), z.ptr(), bias.ptr(),
                                 out.ptr(), nullptr, nullptr);
  if (rc == VD_OK)
    rc = vd_selective_scan_bwd(&s, u.ptr(), delta.ptr(), A.ptr(), B.ptr(), C.ptr(), D.ptr(), z.ptr(), bias.ptr(),
                               dout.ptr(), du.ptr(), ddelta.ptr(), dA.ptr(), dB.ptr(), dC.ptr(), dD.ptr(), dz.ptr(),
                               dbias.ptr(), nullptr, nullptr);
  drv.sync();
  if (rc != VD_OK) {
    ++failures;
    std::printf("FAIL CUDA scan call: %s\n", vd_last_error());
    return;
  }
  std::vector<float> c_out(x), c_du(x), c_dd(x), c_dz(x), c_dB(bc), c_dC(bc), c_dA(dim * dstate), c_dD(dim), c_db(dim);
  vd_scan_shape cs = s;
  cs.dtype = VD_FLOAT32;
  cs.device = -1;
  vd_selective_scan_fwd(&cs, u.host.data(), delta.host.data(), A.host.data(), B.host.data(), C.host.data(),
                        D.host.data(), z.host.data(), bias.host.data(), c_out.data(), nullptr, nullptr);
  vd_selective_scan_bwd(&cs, u.host.data(), delta.host.data(), A.host.data(), B.host.data(), C.host.data(),
                        D.host.data(), z.host.data(), bias.host.data(), dout.host.data(), c_du.data(), c_dd.data(),
                        c_dA.data(), c_dB.data(), c_dC.data(), c_dD.data(), c_dz.data(), c_db.data(), nullptr, nullptr);
  char name[160];
  auto check = [&](const char* what, const std::vector<float>& cpu, const DeviceArray& gpu) {
    std::snprintf(name, sizeof name, "scan b%lld d%lld L%lld n%lld g%lld dtype%d rev%d %s", (long long)batch,
                  (long long)dim, (long long)length, (long long)dstate, (long long)groups, dtype, reverse, what);
    compare(name, cpu, gpu.download(), rtol);
  };
  check("out", c_out, out);
  check("du", c_du, du);
  check("ddelta", c_dd, ddelta);
  check("dz", c_dz, dz);
  check("dB", c_dB, dB);
  check("dC", c_dC, dC);
  check("dA", c_dA, dA);
  check("dD", c_dD, dD);
  check("ddelta_bias", c_db, dbias);
  // In place (vd_scan.h): the output written over delta, bit for bit the output written apart.
  rc = vd_selective_scan_fwd(&s, u.ptr(), delta.ptr(), A.ptr(), B.ptr(), C.ptr(), D.ptr(), z.ptr(), bias.ptr(),
                             delta.ptr(), nullptr, nullptr);
  drv.sync();
  const std::vector<float> apart = out.download(), over_delta = delta.download();
  if (rc != VD_OK || std::memcmp(apart.data(), over_delta.data(), apart.size() * sizeof(float)) != 0) {
    ++failures;
    std::printf("FAIL scan b%lld d%lld L%lld dtype%d rev%d: the output written over delta differs\n", (long long)batch,
                (long long)dim, (long long)length, dtype, reverse);
  }
}

void conv_case(int64_t batch, int64_t dim, int64_t length, int64_t width, int32_t dtype, int reverse, double rtol) {
  std::mt19937 rng(static_cast<unsigned>(dim + length + width));
  const size_t n = batch * dim * length;
  DeviceArray xs(random_vector(n, rng, 1, 0), dtype), dout(random_vector(n, rng, 1, 0), dtype),
      w(random_vector(dim * width, rng, 0.5f, 0), VD_FLOAT32), b(random_vector(dim, rng, 0.5f, 0), VD_FLOAT32);
  DeviceArray out(std::vector<float>(n), dtype), dx(std::vector<float>(n), dtype),
      dw(std::vector<float>(dim * width), VD_FLOAT32), db(std::vector<float>(dim), VD_FLOAT32);
  vd_conv1d_shape s{batch, dim, length, width, dim * length, length, dtype, 1, reverse, 0};
  int rc = vd_causal_conv1d_fwd(&s, xs.ptr(), w.ptr(), b.ptr(), out.ptr(), nullptr);
  if (rc == VD_OK) rc = vd_causal_conv1d_bwd(&s, xs.ptr(), w.ptr(), b.ptr(), dout.ptr(), dx.ptr(), dw.ptr(), db.ptr(), nullptr);
  drv.sync();
  if (rc != VD_OK) {
    ++failures;
    std::printf("FAIL CUDA conv call: %s\n", vd_last_error());
    return;
  }
  std::vector<float> c_out(n), c_dx(n), c_dw(dim * width), c_db(dim);
  vd_conv1d_shape cs = s;
  cs.dtype = VD_FLOAT32;
  cs.device = -1;
  vd_causal_conv1d_fwd(&cs, xs.host.data(), w.host.data(), b.host.data(), c_out.data(), nullptr);
  vd_causal_conv1d_bwd(&cs, xs.host.data(), w.host.data(), b.host.data(), dout.host.data(), c_dx.data(), c_dw.data(),
                       c_db.data(), nullptr);
  compare("conv out", c_out, out.download(), rtol);
  compare("conv dx", c_dx, dx.download(), rtol);
  compare("conv dweight", c_dw, dw.download(), rtol);
  compare("conv dbias", c_db, db.download(), rtol);
}

}  // namespace

int main() {
  if (!vd_has_cuda() || vd_cuda_device_count() <= 0 || !load_driver()) {
    std::printf("skipped: no GPU\n");
    return 0;
  }
  const int32_t types[] = {VD_FLOAT32, VD_BFLOAT16, VD_FLOAT16};
  const double tolerances[] = {2e-3, 5e-2, 1e-2};
  for (int i = 0; i < 3; ++i)
    for (int reverse = 0; reverse < 2; ++reverse) {
      scan_case(1, 8, 3000, 16, 1, types[i], reverse, tolerances[i]);      // length > 2048
      scan_case(2, 33000, 3, 16, 1, types[i], reverse, tolerances[i]);     // batch * dim > 65535
      scan_case(1, 64, 40, 200, 2, types[i], reverse, tolerances[i]);      // large dstate, groups
      scan_case(2, 40, 70, 5, 4, types[i], reverse, tolerances[i]);        // partial warps per group
      conv_case(2, 33000, 9, 4, types[i], reverse, tolerances[i]);
      conv_case(1, 8, 3000, 3, types[i], reverse, tolerances[i]);
    }
  if (failures) {
    std::printf("%d check(s) failed\n", failures);
    return 1;
  }
  std::printf("CUDA vs CPU: all checks passed\n");
  return 0;
}

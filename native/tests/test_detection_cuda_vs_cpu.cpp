// CUDA RoIAlign (forward, backward; float32 and float16) and NMS against the CPU kernels. Without a GPU
// (or without the CUDA kernels) it prints "skipped: no GPU" and succeeds.
// Device memory: see cuda_test_support.h.
#include "vd_detection.h"
#include "cuda_test_support.h"
#include "src/elementwise.h"
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

namespace {

// A device copy of a host vector (bytes as given), freed with the object.
struct DeviceBuffer {
  CUdeviceptr ptr = 0;
  size_t bytes = 0;
  explicit DeviceBuffer(size_t n) : bytes(n) { drv.alloc(&ptr, std::max<size_t>(n, 1)); }
  template <typename T> explicit DeviceBuffer(const std::vector<T>& host) : DeviceBuffer(host.size() * sizeof(T)) {
    drv.to_device(ptr, host.data(), bytes);
  }
  template <typename T> std::vector<T> download() const {
    std::vector<T> host(bytes / sizeof(T));
    drv.sync();
    drv.to_host(host.data(), ptr, bytes);
    return host;
  }
  void* get() const { return reinterpret_cast<void*>(ptr); }
  ~DeviceBuffer() { drv.free(ptr); }
};

int failures = 0;
void check(bool ok, const char* what) {
  if (!ok) {
    std::printf("FAIL: %s (%s)\n", what, vd_last_error());
    ++failures;
  }
}

double max_excess(const std::vector<float>& expected, const std::vector<float>& actual, double atol, double rtol) {
  double worst = 0;
  for (size_t i = 0; i < expected.size(); ++i)
    worst = std::max(worst, std::fabs(double(expected[i]) - actual[i]) - (atol + rtol * std::fabs(expected[i])));
  return worst;
}

void roi_align_case() {
  const int64_t N = 2, C = 16, H = 48, W = 40, K = 500, P = 7;
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> uni(-1, 1), pos(-40, 320), size(1, 200);
  std::vector<float> x(N * C * H * W), gout(K * C * P * P), rois(K * 5);
  for (auto& v : x) v = uni(rng);
  for (auto& v : gout) v = uni(rng);
  for (int64_t k = 0; k < K; ++k) {
    const float x1 = pos(rng), y1 = pos(rng);
    rois[k * 5] = float(k % N), rois[k * 5 + 1] = x1, rois[k * 5 + 2] = y1;
    rois[k * 5 + 3] = x1 + size(rng), rois[k * 5 + 4] = y1 + size(rng);
  }
  vd_roi_align_shape s{};
  s.batch = N, s.channels = C, s.height = H, s.width = W, s.num_rois = K, s.pooled_height = P, s.pooled_width = P;
  s.spatial_scale = 0.125, s.sampling_ratio = 0, s.aligned = 1, s.dtype = VD_FLOAT32, s.device = -1;
  std::vector<float> out(K * C * P * P), gin(x.size());
  check(vd_roi_align_forward(&s, x.data(), rois.data(), out.data(), nullptr) == VD_OK, "cpu forward");
  check(vd_roi_align_backward(&s, gout.data(), rois.data(), gin.data(), nullptr) == VD_OK, "cpu backward");
  s.device = 0;
  DeviceBuffer dx(x), drois(rois), dgout(gout), dout(out.size() * 4), dgin(gin.size() * 4);
  check(vd_roi_align_forward(&s, dx.get(), drois.get(), dout.get(), nullptr) == VD_OK, "cuda forward");
  check(vd_roi_align_backward(&s, dgout.get(), drois.get(), dgin.get(), nullptr) == VD_OK, "cuda backward");
  check(max_excess(out, dout.download<float>(), 1e-5, 1e-4) <= 0, "roi_align forward float32 CUDA == CPU");
  check(max_excess(gin, dgin.download<float>(), 1e-4, 1e-4) <= 0, "roi_align backward float32 CUDA == CPU");
  // float16 storage (float arithmetic): forward within half precision.
  std::vector<uint16_t> hx(x.size()), hrois(rois.size());
  for (size_t i = 0; i < x.size(); ++i) hx[i] = vd::float_to_f16(x[i]);
  for (size_t i = 0; i < rois.size(); ++i) hrois[i] = vd::float_to_f16(rois[i]);
  std::vector<float> xr(x.size()), roisr(rois.size()), outr(out.size());
  for (size_t i = 0; i < x.size(); ++i) xr[i] = vd::f16_to_float(hx[i]);
  for (size_t i = 0; i < rois.size(); ++i) roisr[i] = vd::f16_to_float(hrois[i]);
  s.device = -1;
  check(vd_roi_align_forward(&s, xr.data(), roisr.data(), outr.data(), nullptr) == VD_OK, "cpu forward (half inputs)");
  s.device = 0, s.dtype = VD_FLOAT16;
  DeviceBuffer hdx(hx), hdrois(hrois), hdout(out.size() * 2);
  check(vd_roi_align_forward(&s, hdx.get(), hdrois.get(), hdout.get(), nullptr) == VD_OK, "cuda forward float16");
  std::vector<float> half_out;
  for (uint16_t h : hdout.download<uint16_t>()) half_out.push_back(vd::f16_to_float(h));
  check(max_excess(outr, half_out, 2e-3, 2e-3) <= 0, "roi_align forward float16 CUDA == CPU on the same inputs");
}

void nms_case() {
  const int64_t count = 3000;
  std::mt19937 rng(4);
  std::uniform_real_distribution<float> pos(0, 500), size(1, 80), score(0, 1);
  std::vector<float> boxes(count * 4), scores(count);
  for (int64_t i = 0; i < count; ++i) {
    const float x = pos(rng), y = pos(rng);
    boxes[i * 4] = x, boxes[i * 4 + 1] = y, boxes[i * 4 + 2] = x + size(rng), boxes[i * 4 + 3] = y + size(rng);
    scores[i] = std::round(score(rng) * 50) / 50;  // ties
  }
  for (double threshold : {0.3, 0.5, 0.7}) {
    std::vector<int64_t> cpu(count), gpu(count);
    int64_t n_cpu = 0, n_gpu = 0;
    DeviceBuffer db(boxes), ds(scores);
    check(vd_nms(VD_FLOAT32, -1, boxes.data(), scores.data(), count, threshold, cpu.data(), &n_cpu, nullptr) == VD_OK, "cpu nms");
    check(vd_nms(VD_FLOAT32, 0, db.get(), ds.get(), count, threshold, gpu.data(), &n_gpu, nullptr) == VD_OK, "cuda nms");
    check(n_cpu == n_gpu && std::equal(cpu.begin(), cpu.begin() + n_cpu, gpu.begin()), "nms CUDA == CPU (same order)");
  }
}

}  // namespace

int main() {
  if (!vd_has_cuda() || vd_cuda_device_count() <= 0 || !load_driver()) {
    std::printf("skipped: no GPU\n");
    return 0;
  }
  roi_align_case();
  nms_case();
  std::printf("%s\n", failures ? "FAILED" : "ok");
  return failures == 0 ? 0 : 1;
}

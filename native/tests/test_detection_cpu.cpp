// CPU RoIAlign and NMS on cases whose answers follow from the definitions by hand:
// bilinear interpolation reproduces an affine map exactly inside the image, the backward is the
// transpose of the forward (<grad_out, F x> == <F^T grad_out, x>), and small NMS cases by inspection.
#include "vd_detection.h"
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

namespace {
int failures = 0;
void check(bool ok, const char* what) {
  if (!ok) {
    std::printf("FAIL: %s (%s)\n", what, vd_last_error());
    ++failures;
  }
}

vd_roi_align_shape shape(int64_t n, int64_t c, int64_t h, int64_t w, int64_t k, int64_t p, double scale, int ratio) {
  vd_roi_align_shape s{};
  s.batch = n, s.channels = c, s.height = h, s.width = w, s.num_rois = k;
  s.pooled_height = p, s.pooled_width = p, s.spatial_scale = scale, s.sampling_ratio = ratio;
  s.aligned = 1, s.dtype = VD_FLOAT64, s.device = -1;
  return s;
}

void affine_map_is_reproduced() {
  // f(y, x) = 2x + 3y + 1 on a 16x16 map; an aligned RoI well inside samples it at known points.
  const int64_t H = 16, W = 16;
  std::vector<double> input(H * W);
  for (int64_t y = 0; y < H; ++y)
    for (int64_t x = 0; x < W; ++x) input[y * W + x] = 2.0 * x + 3.0 * y + 1.0;
  // Image coords at scale 0.5: feature coords = 0.5 * v - 0.5. Box (4, 6)-(20, 22) -> feature (1.5, 2.5)-(9.5, 10.5).
  const std::vector<double> rois = {0, 4, 6, 20, 22};
  auto s = shape(1, 1, H, W, 1, 4, 0.5, 2);
  std::vector<double> out(16);
  check(vd_roi_align_forward(&s, input.data(), rois.data(), out.data(), nullptr) == VD_OK, "forward runs");
  bool ok = true;
  for (int ph = 0; ph < 4; ++ph)
    for (int pw = 0; pw < 4; ++pw) {
      const double cy = 2.5 + 2.0 * ph + 1.0, cx = 1.5 + 2.0 * pw + 1.0;  // bin centres (mean of samples)
      ok = ok && std::fabs(out[ph * 4 + pw] - (2 * cx + 3 * cy + 1)) < 1e-12;
    }
  check(ok, "affine map reproduced at bin centres");
}

void backward_is_transpose_and_outside_is_zero() {
  const int64_t N = 2, C = 3, H = 7, W = 9, K = 4, P = 3;
  std::mt19937 rng(5);
  std::uniform_real_distribution<double> uni(-1, 1);
  std::vector<double> x(N * C * H * W), gout(K * C * P * P);
  for (auto& v : x) v = uni(rng);
  for (auto& v : gout) v = uni(rng);
  // Partly outside, fully outside, degenerate (x2 < x1) and ordinary boxes.
  const std::vector<double> rois = {0, -5, -3, 10, 6, 1, 30, 40, 60, 70, 1, 8, 8, 2, 3, 0, 2.3, 1.7, 12.9, 9.1};
  auto s = shape(N, C, H, W, K, P, 0.5, 0);
  std::vector<double> out(K * C * P * P), gin(x.size(), 42.0);
  check(vd_roi_align_forward(&s, x.data(), rois.data(), out.data(), nullptr) == VD_OK, "forward runs");
  check(vd_roi_align_backward(&s, gout.data(), rois.data(), gin.data(), nullptr) == VD_OK, "backward runs");
  double lhs = 0, rhs = 0;
  for (size_t i = 0; i < out.size(); ++i) lhs += gout[i] * out[i];
  for (size_t i = 0; i < x.size(); ++i) rhs += gin[i] * x[i];
  check(std::fabs(lhs - rhs) < 1e-10, "<g, F x> == <F^T g, x>");
  bool zeros = true;
  for (int64_t i = C * P * P; i < 3 * C * P * P; ++i) zeros = zeros && out[i] == 0.0;
  check(zeros, "fully outside and degenerate RoIs pool to zero");
}

void backward_handles_many_large_rois_in_chunks() {
  // 1000 RoIs of 1000-1600 samples each exceed the backward's 1M-sample chunk: the transpose identity must still hold.
  const int64_t N = 2, C = 2, H = 40, W = 40, K = 1000, P = 2;
  std::mt19937 rng(9);
  std::uniform_real_distribution<double> uni(-1, 1), pos(0, 8);
  std::vector<double> x(N * C * H * W), gout(K * C * P * P), rois(K * 5);
  for (auto& v : x) v = uni(rng);
  for (auto& v : gout) v = uni(rng);
  for (int64_t k = 0; k < K; ++k) {
    rois[k * 5] = static_cast<double>(k % N);
    rois[k * 5 + 1] = pos(rng), rois[k * 5 + 2] = pos(rng);
    rois[k * 5 + 3] = 32 + pos(rng), rois[k * 5 + 4] = 32 + pos(rng);
  }
  auto s = shape(N, C, H, W, K, P, 1.0, 0);
  std::vector<double> out(K * C * P * P), gin(x.size());
  check(vd_roi_align_forward(&s, x.data(), rois.data(), out.data(), nullptr) == VD_OK, "forward runs (large RoIs)");
  check(vd_roi_align_backward(&s, gout.data(), rois.data(), gin.data(), nullptr) == VD_OK, "backward runs (large RoIs)");
  double lhs = 0, rhs = 0;
  for (size_t i = 0; i < out.size(); ++i) lhs += gout[i] * out[i];
  for (size_t i = 0; i < x.size(); ++i) rhs += gin[i] * x[i];
  check(std::fabs(lhs - rhs) < 1e-8 * (1 + std::fabs(lhs)), "<g, F x> == <F^T g, x> across backward chunks");
}

void bad_arguments_are_rejected() {
  std::vector<double> x(4), out(1);
  const std::vector<double> rois = {3, 0, 0, 1, 1};
  auto s = shape(1, 1, 2, 2, 1, 1, 1.0, 0);
  check(vd_roi_align_forward(&s, x.data(), rois.data(), out.data(), nullptr) == VD_ERR_INVALID_ARGUMENT,
        "batch index out of range is rejected");
  s.pooled_height = 0;
  check(vd_roi_align_forward(&s, x.data(), rois.data(), out.data(), nullptr) == VD_ERR_INVALID_ARGUMENT,
        "pooled size 0 is rejected");
  s = shape(1, 1, 2, 2, 0, 1, 1.0, 0);
  s.dtype = VD_BFLOAT16;
  check(vd_roi_align_forward(&s, x.data(), nullptr, nullptr, nullptr) == VD_ERR_UNSUPPORTED, "bf16 on CPU unsupported");
}

void nms_cases() {
  // 0 and 1 overlap with IoU 0.6; 2 is apart; 3 ties with 2's score and touches nothing.
  const std::vector<float> boxes = {0, 0, 10, 10, 0, 0, 10, 6, 20, 20, 30, 30, 40, 40, 41, 41};
  const std::vector<float> scores = {0.5f, 0.9f, 0.7f, 0.7f};
  std::vector<int64_t> keep(4, -1);
  int64_t kept = -1;
  check(vd_nms(VD_FLOAT32, -1, boxes.data(), scores.data(), 4, 0.5, keep.data(), &kept, nullptr) == VD_OK, "nms runs");
  check(kept == 3 && keep[0] == 1 && keep[1] == 2 && keep[2] == 3, "nms keeps 1, 2, 3 in score order (stable ties)");
  check(vd_nms(VD_FLOAT32, -1, boxes.data(), scores.data(), 4, 0.6, keep.data(), &kept, nullptr) == VD_OK && kept == 4,
        "IoU equal to the threshold is not suppressed");
  check(vd_nms(VD_FLOAT32, -1, nullptr, nullptr, 0, 0.5, nullptr, &kept, nullptr) == VD_OK && kept == 0, "empty input");
}
}  // namespace

int main() {
  affine_map_is_reproduced();
  backward_is_transpose_and_outside_is_zero();
  backward_handles_many_large_rois_in_chunks();
  bad_arguments_are_rejected();
  nms_cases();
  std::printf("%s\n", failures ? "FAILED" : "ok");
  return failures == 0 ? 0 : 1;
}

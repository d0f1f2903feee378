// NMS on CUDA (torchvision semantics, reference/dense_prediction.md §7.2). The device computes, for
// every box in score order, a bit mask of the later boxes it suppresses (blocks of 64 x 64 pairs);
// the host sorts the scores first (stable) and runs the short greedy pass over the masks after.
#include "cuda/detection_common.cuh"
#include "cuda/detection_cuda.h"
#include <cstdint>
#include <vector>

namespace vd::cuda {
namespace {

constexpr int kBlock = 64;  // boxes per mask word

__device__ inline float iou(const float* a, const float* b) {
  const float w = fmaxf(0.f, fminf(a[2], b[2]) - fmaxf(a[0], b[0]));
  const float h = fmaxf(0.f, fminf(a[3], b[3]) - fmaxf(a[1], b[1]));
  const float inter = w * h;
  const float area_a = (a[2] - a[0]) * (a[3] - a[1]), area_b = (b[2] - b[0]) * (b[3] - b[1]);
  // IEEE division even under --use_fast_math, so that the threshold test agrees with the CPU kernel.
  return __fdiv_rn(inter, area_a + area_b - inter);
}

// mask[i * col_blocks + cb] bit t set <=> sorted box i suppresses sorted box cb*64+t (which comes later).
__global__ void nms_mask_kernel(int64_t count, float threshold, const float* __restrict__ boxes,
                                const int64_t* __restrict__ order, uint64_t* __restrict__ mask) {
  const int64_t row_block = blockIdx.y, col_block = blockIdx.x;
  if (row_block > col_block) return;  // only later boxes can be suppressed
  const int64_t col_blocks = (count + kBlock - 1) / kBlock;
  const int64_t row_size = min(count - row_block * kBlock, int64_t(kBlock));
  const int64_t col_size = min(count - col_block * kBlock, int64_t(kBlock));
  __shared__ float cols[kBlock * 4];
  if (threadIdx.x < col_size) {
    const float* b = boxes + order[col_block * kBlock + threadIdx.x] * 4;
    for (int j = 0; j < 4; ++j) cols[threadIdx.x * 4 + j] = b[j];
  }
  __syncthreads();
  if (threadIdx.x >= row_size) return;
  const int64_t i = row_block * kBlock + threadIdx.x;
  float box[4];
  for (int j = 0; j < 4; ++j) box[j] = boxes[order[i] * 4 + j];
  uint64_t bits = 0;
  const int start = row_block == col_block ? threadIdx.x + 1 : 0;
  for (int t = start; t < col_size; ++t)
    if (iou(box, cols + t * 4) > threshold) bits |= uint64_t(1) << t;
  mask[i * col_blocks + col_block] = bits;
}

// Frees its device buffers on every exit path.
struct DeviceBuffer {
  void* ptr = nullptr;
  ~DeviceBuffer() {
    if (ptr) cudaFree(ptr);
  }
};

}  // namespace

int nms(int32_t dtype, int32_t device, const void* boxes, const void* scores, int64_t count, double iou_threshold,
        int64_t* keep, int64_t* num_kept, void* stream) {
  if (dtype != VD_FLOAT32)
    return vd::fail(VD_ERR_UNSUPPORTED, "nms on CUDA supports float32, got dtype " + std::to_string(dtype));
  DeviceGuard guard(device);
  if (int status = check(guard.status(), "nms: selecting the CUDA device")) return status;
  const auto s = static_cast<cudaStream_t>(stream);
  const int64_t col_blocks = (count + kBlock - 1) / kBlock;

  std::vector<float> host_scores(static_cast<size_t>(count));
  if (int status = check(cudaMemcpyAsync(host_scores.data(), scores, sizeof(float) * count, cudaMemcpyDeviceToHost, s),
                         "nms: copying scores"))
    return status;
  if (int status = check(cudaStreamSynchronize(s), "nms: copying scores")) return status;
  const std::vector<int64_t> order = vd::descending_score_order(host_scores.data(), count);

  DeviceBuffer order_dev, mask_dev;
  const size_t mask_words = static_cast<size_t>(count * col_blocks);
  if (int status = check(cudaMalloc(&order_dev.ptr, sizeof(int64_t) * count), "nms: allocating")) return status;
  if (int status = check(cudaMalloc(&mask_dev.ptr, sizeof(uint64_t) * mask_words), "nms: allocating")) return status;
  if (int status = check(cudaMemcpyAsync(order_dev.ptr, order.data(), sizeof(int64_t) * count, cudaMemcpyHostToDevice, s),
                         "nms: uploading the order"))
    return status;
  const dim3 blocks(static_cast<unsigned>(col_blocks), static_cast<unsigned>(col_blocks));
  nms_mask_kernel<<<blocks, kBlock, 0, s>>>(count, static_cast<float>(iou_threshold), static_cast<const float*>(boxes),
                                            static_cast<const int64_t*>(order_dev.ptr), static_cast<uint64_t*>(mask_dev.ptr));
  if (int status = check(cudaGetLastError(), "nms: mask kernel")) return status;
  std::vector<uint64_t> mask(mask_words);
  if (int status = check(cudaMemcpyAsync(mask.data(), mask_dev.ptr, sizeof(uint64_t) * mask_words, cudaMemcpyDeviceToHost, s),
                         "nms: copying the masks"))
    return status;
  if (int status = check(cudaStreamSynchronize(s), "nms: copying the masks")) return status;

  // Greedy pass in score order; the lower-triangle words were never written, so only cb >= i/64 is read.
  std::vector<uint64_t> removed(static_cast<size_t>(col_blocks), 0);
  int64_t kept = 0;
  for (int64_t i = 0; i < count; ++i) {
    const int64_t block = i / kBlock;
    if (removed[block] & (uint64_t(1) << (i % kBlock))) continue;
    keep[kept++] = order[static_cast<size_t>(i)];
    const uint64_t* row = mask.data() + i * col_blocks;
    for (int64_t cb = block; cb < col_blocks; ++cb) removed[cb] |= row[cb];
  }
  *num_kept = kept;
  return VD_OK;
}

}  // namespace vd::cuda

// CPU backward of the selective scan.
//
// Memory: no (batch, dim, length, dstate) buffer. Per (batch, channel) row the states at the start of every
// kChunk-step chunk come from the forward's checkpoints (batch*dim*length/kChunk states) or, without them,
// from a first pass that recomputes them into a thread-local buffer; the reverse pass then
// walks the chunks from last to first, recomputes the chunk's states and decays (kChunk x dstate,
// thread-local) and runs the adjoint recurrence
//   g_t = dy_t C_t + exp(dt_{t+1} A) g_{t+1}
// carried across chunks. Extra memory is O(threads * (length/kChunk + kChunk) * dstate) plus the
// per-block dB/dC accumulators below (at most kMaxChannelBlocks copies of dB and dC).
//
// Determinism: channels are split into a fixed number of contiguous blocks, run by whichever thread is free
// (dynamic schedule: a descheduled thread does not hold the others back). A block owns its channels (so
// dA, dD, ddelta_bias need no sharing) and accumulates dB/dC, which sum over the channels of a group, in
// its own buffer; the buffers are summed in block order at the end. The result is therefore bit-for-bit
// the same for any thread count and schedule; no atomics are used.
#include "cpu/scan_cpu.h"
#include <algorithm>

namespace vd::cpu {

namespace {

// Sums the per-block scan-order accumulators into dst (B/C layout, time order of the scan undone).
template <typename T, typename S>
void reduce_state_grads(const vd_scan_shape& s, const std::vector<std::vector<T>>& parts, S* dst) {
  const int64_t np = padded_states(s.dstate), L = s.length;
#pragma omp for collapse(2) schedule(static)
  for (int64_t bg = 0; bg < s.batch * s.groups; ++bg)
    for (int64_t n = 0; n < s.dstate; ++n) {
      const int64_t b = bg / s.groups, g = bg % s.groups;
      S* row = dst + b * s.bc_stride_batch + g * s.bc_stride_group + n * s.bc_stride_state;
      for (int64_t step = 0; step < L; ++step) {
        T sum = T(0);
        for (const auto& part : parts)
          if (!part.empty()) sum += part[static_cast<size_t>((bg * L + step) * np + n)];
        store(row[time_at(s, step)], sum);
      }
    }
}

}  // namespace

template <typename T, typename S>
void scan_backward_cpu(const vd_scan_shape& s, const ScanInputs<T, S>& in, const S* dout, const ScanGrads<T, S>& gr,
                       const T* saved_checkpoints) {
  const int64_t np = padded_states(s.dstate), L = s.length, per_group = s.dim / s.groups;
  const int64_t chunks = (L + kChunk - 1) / kChunk;
  const std::vector<T> b_steps = states_by_step<T>(s, in.B), c_steps = states_by_step<T>(s, in.C);
  const std::vector<T> a_padded = padded_A(s, in.A);
  const size_t bc_size = static_cast<size_t>(s.batch * s.groups * L * np);
  const int64_t blocks = std::min(s.dim, kMaxChannelBlocks);
  // Allocated here, outside the parallel region, so that running out of memory reaches the caller as
  // std::bad_alloc (an exception escaping an OpenMP region would terminate the process).
  std::vector<std::vector<T>> dB_parts(static_cast<size_t>(blocks), std::vector<T>(bc_size, T(0)));
  std::vector<std::vector<T>> dC_parts(static_cast<size_t>(blocks), std::vector<T>(bc_size, T(0)));
#pragma omp parallel if (worth_parallel(s))
  {
    std::vector<T> checkpoints(static_cast<size_t>(chunks * np)), h(static_cast<size_t>(np));
    std::vector<T> hs(static_cast<size_t>(kChunk * np)), decays(static_cast<size_t>(kChunk * np));
    std::vector<T> dh(static_cast<size_t>(np)), dA_chunk(static_cast<size_t>(np));
    std::vector<double> dA_sum(static_cast<size_t>(np));
    ChunkRow<T> row;
    T y[kChunk], dy[kChunk], ddt[kChunk], du[kChunk], go[kChunk], dz[kChunk];
#pragma omp for schedule(dynamic, 1)
    for (int64_t block = 0; block < blocks; ++block) {
      auto& dB_acc = dB_parts[static_cast<size_t>(block)];
      auto& dC_acc = dC_parts[static_cast<size_t>(block)];
      for (int64_t d = block * s.dim / blocks; d < (block + 1) * s.dim / blocks; ++d) {
        const int64_t grp = d / per_group;
        const T* a = a_padded.data() + d * np;
        const T bias = in.delta_bias ? in.delta_bias[d] : T(0), skip = in.D ? in.D[d] : T(0);
        std::fill(dA_sum.begin(), dA_sum.end(), 0.0);
        double dD_sum = 0, dbias_sum = 0;
        for (int64_t b = 0; b < s.batch; ++b) {
          const int64_t offset = b * s.x_stride_batch + d * s.x_stride_dim;
          const T* bs = b_steps.data() + (b * s.groups + grp) * L * np;
          const T* cs = c_steps.data() + (b * s.groups + grp) * L * np;
          T* dBrow = dB_acc.data() + (b * s.groups + grp) * L * np;
          T* dCrow = dC_acc.data() + (b * s.groups + grp) * L * np;
          // Pass 1: the state entering each chunk (saved by the forward, or recomputed here).
          const T* ckpt = checkpoints.data();
          if (saved_checkpoints) {
            ckpt = saved_checkpoints + (b * s.dim + d) * chunks * np;
          } else {
            std::fill(h.begin(), h.end(), T(0));
            for (int64_t c = 0; c < chunks; ++c) {
              std::copy(h.begin(), h.end(), checkpoints.begin() + c * np);
              if (c + 1 == chunks) break;
              row.load(s, in, offset, c * kChunk, bias);
              advance_states(row, a, bs + c * kChunk * np, np, h.data());
            }
          }
          // Pass 2: chunks in reverse; dh carries the adjoint state into the previous chunk.
          std::fill(dh.begin(), dh.end(), T(0));
          for (int64_t c = chunks - 1; c >= 0; --c) {
            const int64_t first = c * kChunk;
            row.load(s, in, offset, first, bias);
            const T* h0 = ckpt + c * np;
            for (int64_t j = 0; j < row.len; ++j) {
              const T* prev = j ? hs.data() + (j - 1) * np : h0;
              const T acc = forward_step<T>(a, bs + (first + j) * np, cs + (first + j) * np, row.dt[j], row.dtu[j],
                                            prev, hs.data() + j * np, decays.data() + j * np, np);
              y[j] = acc + skip * row.u[j];
            }
            // Gate: out = y * silu(z).
            for (int64_t j = 0; j < row.len; ++j) go[j] = widen(dout[offset + time_at(s, first + j)]);
            if (in.z) {
              gate_backward_row(row.z, go, y, dy, dz, row.len);
              for (int64_t j = 0; j < row.len; ++j) store(gr.dz[offset + time_at(s, first + j)], dz[j]);
            } else {
              std::copy(go, go + row.len, dy);
            }
            std::fill(dA_chunk.begin(), dA_chunk.end(), T(0));
            for (int64_t j = row.len - 1; j >= 0; --j) {
              const AdjointStep<T> step{a, bs + (first + j) * np, cs + (first + j) * np, hs.data() + j * np,
                                        j ? hs.data() + (j - 1) * np : h0, decays.data() + j * np,
                                        dy[j], row.dt[j], row.dtu[j], dh.data(), dA_chunk.data(),
                                        dBrow + (first + j) * np, dCrow + (first + j) * np};
              T ddt_acc, ddtu_acc;
              step.run(np, ddt_acc, ddtu_acc);
              ddt[j] = ddt_acc + ddtu_acc * row.u[j];
              du[j] = ddtu_acc * row.dt[j] + dy[j] * skip;
            }
            for (int64_t n = 0; n < np; ++n) dA_sum[static_cast<size_t>(n)] += dA_chunk[static_cast<size_t>(n)];
            if (s.delta_softplus) softplus_backward_row(row.x, ddt, row.len);
            T dD_chunk = T(0), dbias_chunk = T(0);
            for (int64_t j = 0; j < row.len; ++j) {
              const int64_t t = offset + time_at(s, first + j);
              dD_chunk += dy[j] * row.u[j];
              dbias_chunk += ddt[j];
              store(gr.du[t], du[j]);
              store(gr.ddelta[t], ddt[j]);
            }
            dD_sum += static_cast<double>(dD_chunk);
            dbias_sum += static_cast<double>(dbias_chunk);
          }
        }
        for (int64_t n = 0; n < s.dstate; ++n) gr.dA[d * s.dstate + n] = static_cast<T>(dA_sum[static_cast<size_t>(n)]);
        if (gr.dD) gr.dD[d] = static_cast<T>(dD_sum);
        if (gr.ddelta_bias) gr.ddelta_bias[d] = static_cast<T>(dbias_sum);
      }
    }
    reduce_state_grads(s, dB_parts, gr.dB);
    reduce_state_grads(s, dC_parts, gr.dC);
  }
}

template void scan_backward_cpu<float, float>(const vd_scan_shape&, const ScanInputs<float, float>&, const float*,
                                              const ScanGrads<float, float>&, const float*);
template void scan_backward_cpu<double, double>(const vd_scan_shape&, const ScanInputs<double, double>&, const double*,
                                                const ScanGrads<double, double>&, const double*);
template void scan_backward_cpu<float, bf16>(const vd_scan_shape&, const ScanInputs<float, bf16>&, const bf16*,
                                             const ScanGrads<float, bf16>&, const float*);
template void scan_backward_cpu<float, f16>(const vd_scan_shape&, const ScanInputs<float, f16>&, const f16*,
                                            const ScanGrads<float, f16>&, const float*);

}  // namespace vd::cpu

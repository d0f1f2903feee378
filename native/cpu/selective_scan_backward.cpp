// CPU backward of the selective scan.
//
// Memory: no (batch, dim, length, dstate) buffer. Per (batch, channel) row the states at the start of every
// kChunk-step chunk come from the forward's checkpoints (batch*dim*length/kChunk states) or, without them,
// from a first pass that recomputes them into a thread-local buffer; the reverse pass then
// walks the chunks from last to first, recomputes the chunk's states and decays (kChunk x dstate,
// thread-local) and runs the adjoint recurrence
//   g_t = dy_t C_t + exp(dt_{t+1} A) g_{t+1}
// carried across chunks. Extra memory is O(threads * (rows per block * length/kChunk + kChunk) * dstate) plus
// the per-block dB/dC accumulators below (at most kMaxChannelBlocks copies of dB and dC).
//
// Determinism: channels are split into a fixed number of contiguous blocks, run by whichever thread is free
// (dynamic schedule: a descheduled thread does not hold the others back). A block owns its channels (so
// dA, dD, ddelta_bias need no sharing) and accumulates dB/dC, which sum over the channels of a group, in
// its own buffer; the buffers are summed in block order at the end. The result is therefore bit-for-bit
// the same for any thread count and schedule; no atomics are used.
#include "cpu/scan_cpu.h"
#include <algorithm>
#include <initializer_list>

namespace vd::cpu {

namespace {

// Sums the per-block scan-order accumulators into dst (B/C layout, time order of the scan undone), in block
// order. Step by step, so that every part is read contiguously (the states of a step are contiguous; state by state,
// each read took a cache line for one float).
template <typename T, typename S>
void reduce_state_grads(const vd_scan_shape& s, const std::vector<std::vector<T>>& parts, S* dst) {
  const int64_t np = padded_states(s.dstate), L = s.length;
#pragma omp for collapse(2) schedule(static)
  for (int64_t bg = 0; bg < s.batch * s.groups; ++bg)
    for (int64_t first = 0; first < L; first += kChunk) {
      const int64_t b = bg / s.groups, g = bg % s.groups;
      S* rows = dst + b * s.bc_stride_batch + g * s.bc_stride_group;
      for (int64_t step = first; step < std::min(first + kChunk, L); ++step)
        for (int64_t n = 0; n < s.dstate; ++n) {
          T sum = T(0);
          for (const auto& part : parts)
            if (!part.empty()) sum += part[static_cast<size_t>((bg * L + step) * np + n)];
          store(rows[n * s.bc_stride_state + time_at(s, step)], sum);
        }
    }
}

// Asks for the chunk of the next row (offset, first step) of every given activation before it is needed: in
// chunk-major order a row's chunk is 256 bytes here and there, which the hardware prefetchers do not follow
// (Vim-Ti rows, 2 Zen cores: 16.9 -> 15.3 ns per step at length 1025, 18.3 -> 17.2 at 6085).
template <typename S>
void prefetch_chunk(const vd_scan_shape& s, int64_t offset, int64_t first, std::initializer_list<const S*> activations) {
  const int64_t len = std::min(kChunk, s.length - first);
  const int64_t lo = offset + std::min(time_at(s, first), time_at(s, first + len - 1));
  for (const S* x : activations)
    if (x)
      for (int64_t byte = 0; byte < len * static_cast<int64_t>(sizeof(S)); byte += 64)
        __builtin_prefetch(reinterpret_cast<const char*>(x + lo) + byte);
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
  const int64_t blocks = std::min(s.dim, kMaxChannelBlocks), rows_per_block = (s.dim + blocks - 1) / blocks;
  // Allocated here, outside the parallel region, so that running out of memory reaches the caller as
  // std::bad_alloc (an exception escaping an OpenMP region would terminate the process).
  std::vector<std::vector<T>> dB_parts(static_cast<size_t>(blocks), std::vector<T>(bc_size, T(0)));
  std::vector<std::vector<T>> dC_parts(static_cast<size_t>(blocks), std::vector<T>(bc_size, T(0)));
#pragma omp parallel if (worth_parallel(s))
  {
    // Per row of a block: the states entering its chunks (when the forward saved none), the adjoint state
    // carried from chunk to chunk, and the sums of its weight gradients.
    std::vector<T> checkpoints(saved_checkpoints ? 0 : static_cast<size_t>(rows_per_block * chunks * np)), h(static_cast<size_t>(np));
    std::vector<T> dh(static_cast<size_t>(rows_per_block * np));
    std::vector<double> dA_sum(static_cast<size_t>(rows_per_block * np)), dD_sum(static_cast<size_t>(rows_per_block)),
        dbias_sum(static_cast<size_t>(rows_per_block));
    std::vector<T> hs(static_cast<size_t>(kChunk * np)), decays(static_cast<size_t>(kChunk * np)), dA_chunk(static_cast<size_t>(np));
    ChunkRow<T> row;
    T y[kChunk], dy[kChunk], ddt[kChunk], ddtu[kChunk], du[kChunk], go[kChunk], dz[kChunk];
#pragma omp for schedule(dynamic, 1)
    for (int64_t block = 0; block < blocks; ++block) {
      auto& dB_acc = dB_parts[static_cast<size_t>(block)];
      auto& dC_acc = dC_parts[static_cast<size_t>(block)];
      const int64_t d_first = block * s.dim / blocks, rows = (block + 1) * s.dim / blocks - d_first;
      std::fill(dA_sum.begin(), dA_sum.end(), 0.0);
      std::fill(dD_sum.begin(), dD_sum.end(), 0.0);
      std::fill(dbias_sum.begin(), dbias_sum.end(), 0.0);
      for (int64_t b = 0; b < s.batch; ++b) {
        // Pass 1: the state entering each chunk of each row (saved by the forward, or recomputed here).
        if (!saved_checkpoints)
          for (int64_t r = 0; r < rows; ++r) {
            const int64_t d = d_first + r, grp = d / per_group;
            const T* bs = b_steps.data() + (b * s.groups + grp) * L * np;
            T* own = checkpoints.data() + r * chunks * np;
            std::fill(h.begin(), h.end(), T(0));
            for (int64_t c = 0; c < chunks; ++c) {
              std::copy(h.begin(), h.end(), own + c * np);
              if (c + 1 == chunks) break;
              row.load(s, in, row_offset(s, b, d), c * kChunk, in.delta_bias ? in.delta_bias[d] : T(0));
              advance_states(row, a_padded.data() + d * np, bs + c * kChunk * np, np, h.data());
            }
          }
        // Pass 2: chunks in reverse; dh carries each row's adjoint state into its previous chunk. Chunk-major:
        // all rows of the block run chunk c before any runs c - 1, so the chunk's B/C rows and dB/dC accumulators,
        // shared by the channels of a group, are reused from row to row instead of streamed once per row. Measured
        // on 2 Zen cores, Vim-Ti rows: 15.6 -> 12.0 ns per step at length 197, no change beyond noise at 1025 and
        // 6085. Per row the order of every sum is unchanged.
        std::fill(dh.begin(), dh.end(), T(0));
        for (int64_t c = chunks - 1; c >= 0; --c) {
          const int64_t first = c * kChunk;
          for (int64_t r = 0; r < rows; ++r) {
            const int64_t d = d_first + r, grp = d / per_group;
            const int64_t offset = row_offset(s, b, d);
            const T* a = a_padded.data() + d * np;
            const T bias = in.delta_bias ? in.delta_bias[d] : T(0), skip = in.D ? in.D[d] : T(0);
            const T* bs = b_steps.data() + (b * s.groups + grp) * L * np + first * np;
            const T* cs = c_steps.data() + (b * s.groups + grp) * L * np + first * np;
            T* dBrow = dB_acc.data() + (b * s.groups + grp) * L * np + first * np;
            T* dCrow = dC_acc.data() + (b * s.groups + grp) * L * np + first * np;
            const T* h0 = (saved_checkpoints ? saved_checkpoints + (b * s.dim + d) * chunks * np
                                             : checkpoints.data() + r * chunks * np) + c * np;
            if (r + 1 < rows || c > 0) {
              const int64_t next = row_offset(s, b, r + 1 < rows ? d + 1 : d_first);
              prefetch_chunk(s, next, r + 1 < rows ? first : first - kChunk, {in.u, in.delta, in.z, dout});
            }
            row.load(s, in, offset, first, bias);
            recompute_chunk<T>(a, bs, cs, row.dt, row.dtu, row.len, h0, hs.data(), decays.data(), y, np);
            for (int64_t j = 0; j < row.len; ++j) y[j] += skip * row.u[j];
            // Gate: out = y * silu(z).
            for (int64_t j = 0; j < row.len; ++j) go[j] = widen(dout[offset + time_at(s, first + j)]);
            if (in.z) {
              gate_backward_row(row.z, go, y, dy, dz, row.len);
              for (int64_t j = 0; j < row.len; ++j) store(gr.dz[offset + time_at(s, first + j)], dz[j]);
            } else {
              std::copy(go, go + row.len, dy);
            }
            std::fill(dA_chunk.begin(), dA_chunk.end(), T(0));
            adjoint_chunk<T>(a, bs, cs, hs.data(), h0, decays.data(), dy, row.dt, row.dtu, row.len, dh.data() + r * np,
                             dA_chunk.data(), dBrow, dCrow, ddt, ddtu, np);
            for (int64_t j = 0; j < row.len; ++j) {
              du[j] = ddtu[j] * row.dt[j] + dy[j] * skip;
              ddt[j] += ddtu[j] * row.u[j];
            }
            for (int64_t n = 0; n < np; ++n) dA_sum[static_cast<size_t>(r * np + n)] += dA_chunk[static_cast<size_t>(n)];
            if (s.delta_softplus) softplus_backward_row(row.x, ddt, row.len);
            T dD_chunk = T(0), dbias_chunk = T(0);
            for (int64_t j = 0; j < row.len; ++j) {
              const int64_t t = offset + time_at(s, first + j);
              dD_chunk += dy[j] * row.u[j];
              dbias_chunk += ddt[j];
              store(gr.du[t], du[j]);
              store(gr.ddelta[t], ddt[j]);
            }
            dD_sum[static_cast<size_t>(r)] += static_cast<double>(dD_chunk);
            dbias_sum[static_cast<size_t>(r)] += static_cast<double>(dbias_chunk);
          }
        }
      }
      for (int64_t r = 0; r < rows; ++r) {
        const int64_t d = d_first + r;
        for (int64_t n = 0; n < s.dstate; ++n) gr.dA[d * s.dstate + n] = static_cast<T>(dA_sum[static_cast<size_t>(r * np + n)]);
        if (gr.dD) gr.dD[d] = static_cast<T>(dD_sum[static_cast<size_t>(r)]);
        if (gr.ddelta_bias) gr.ddelta_bias[d] = static_cast<T>(dbias_sum[static_cast<size_t>(r)]);
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

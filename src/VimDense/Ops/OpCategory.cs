namespace VimDense.Ops;

/// <summary>The groups of work that <see cref="OpProfiler"/> times separately (see `vimdense bench backbone --profile`).</summary>
public enum OpCategory
{
    /// <summary>Matrix products (in/x/dt/out projections, the patch-embedding convolution).</summary>
    Gemm,
    /// <summary>The native selective scan (forward or backward).</summary>
    Scan,
    /// <summary>The native depthwise causal conv1d (+ SiLU), forward or backward.</summary>
    Conv1d,
    /// <summary>Residual adds and RMSNorm.</summary>
    NormResidual,
    /// <summary>Other element-wise work (direction sum, A = -exp(A_log), position embedding, dtype casts).</summary>
    Elementwise,
    /// <summary>Views and copies that only move data (flip, contiguous, narrow, class-token insertion/removal).</summary>
    Layout,
    /// <summary>Allocating outputs of native ops and releasing temporaries (dispose scopes).</summary>
    Allocation,
    /// <summary>Autograd's own backward of libtorch ops (GEMM and element-wise gradients, accumulation).</summary>
    AutogradOps,
}

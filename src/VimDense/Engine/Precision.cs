namespace VimDense.Engine;

/// <summary>
/// Numeric precision of training (<c>train.precision</c>) or evaluation (<c>test.precision</c>). Config and
/// command-line spelling: fp32, bf16, fp16 (see <see cref="Precisions"/>).
/// </summary>
public enum Precision
{
    /// <summary>Everything in float32 (the default; bit-identical to runs before mixed precision existed).</summary>
    Fp32,
    /// <summary>Linear, conv and matmul inputs in bfloat16 (<see cref="Layers.Autocast"/>); float32 master weights, optimizer, norms, softmax, losses, scan state.</summary>
    Bf16,
    /// <summary>As <see cref="Bf16"/> with float16, plus dynamic loss scaling (<see cref="LossScaler"/>) in training.</summary>
    Fp16,
}

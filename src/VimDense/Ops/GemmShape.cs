namespace VimDense.Ops;

/// <summary>A matrix product (M×K)·(K×N), repeated <see cref="Batch"/> times; 2·M·K·N·Batch FLOP.</summary>
public readonly record struct GemmShape(long M, long K, long N, long Batch)
{
    public double Flops => 2.0 * M * K * N * Batch;
}

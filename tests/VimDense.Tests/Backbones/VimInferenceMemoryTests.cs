using VimDense.Backbones;
using VimDense.Engine.Logging;
using VimDense.Tests.Engine;
using static TorchSharp.torch;

namespace VimDense.Tests.Backbones;

/// <summary>
/// How much a Vim mixer and block hold at inference, in units of one (B, E, L) buffer: the mixer's peak is four of
/// them (x and z from separate GEMMs, x freed after the reverse conv, each scan written over its delta); it was six.
/// Heap in use is process-wide, so these run alone.
/// </summary>
[Collection(AllocatorCollection.Name)]
public sealed class VimInferenceMemoryTests
{
    [Fact]
    public void TheMixerPeaksAtFourActivationBuffers()
    {
        const int dModel = 128, length = 32768;                      // E = 256: one buffer is 32 MiB
        const long buffer = 2L * dModel * length * sizeof(float);
        manual_seed(3);
        using var mixer = new BiMambaMixer(dModel);
        mixer.eval();
        using var noGrad = no_grad();
        using var hidden = randn(1, dModel, length);
        mixer.forward(hidden).Dispose();                            // warm-up: allocator and GEMM buffers
        var before = HeapInUse.Bytes()!.Value;
        long peak;
        using (var sampler = HeapInUse.SamplePeak(TimeSpan.FromMilliseconds(1)))
        {
            using var output = mixer.forward(hidden);
            peak = sampler.PeakBytes!.Value - before;
        }
        // Four buffers, x_proj's (1, R + 2N, L) output (5 MiB) and the (1, D, L) output; six buffers would be 192 MiB.
        Assert.InRange(peak / (double)buffer, 3.5, 4.6);
    }

    [Fact]
    public void ABlockThatMayReleaseItsInputsFreesThem()
    {
        manual_seed(5);
        using var block = new VimBlock(new BiMambaMixer(16), 16, dropPathRate: 0);
        block.eval();
        using var noGrad = no_grad();
        var hidden = randn(1, 16, 9);
        var residual = randn(1, 16, 9);
        var (kept, keptResidual) = block.Forward(hidden, residual);
        using (kept) using (keptResidual) Assert.False(hidden.IsInvalid || residual.IsInvalid);
        var (output, newResidual) = block.Forward(hidden, residual, releaseInputs: true);
        using (output) using (newResidual) Assert.True(hidden.IsInvalid && residual.IsInvalid);
    }
}

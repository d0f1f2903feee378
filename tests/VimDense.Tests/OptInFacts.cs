using TorchSharp;

namespace VimDense.Tests;

/// <summary>
/// A test that needs a CUDA GPU visible to both libtorch and the native library; reported as skipped
/// (with the reason) on machines without one, such as CI.
/// </summary>
public sealed class GpuFactAttribute : FactAttribute
{
    public GpuFactAttribute()
    {
        if (!GpuAvailable.Value) Skip = "needs a CUDA GPU and a CUDA build (-p:TorchBackend=cuda, nvcc)";
    }

    internal static readonly Lazy<bool> GpuAvailable = new(() =>
        torch.cuda.is_available() && Native.NativeInfo.HasCuda && Native.NativeInfo.CudaDeviceCount > 0);
}

/// <summary>The theory form of <see cref="GpuFactAttribute"/>.</summary>
public sealed class GpuTheoryAttribute : TheoryAttribute
{
    public GpuTheoryAttribute()
    {
        if (!GpuFactAttribute.GpuAvailable.Value) Skip = "needs a CUDA GPU and a CUDA build (-p:TorchBackend=cuda, nvcc)";
    }
}

/// <summary>
/// A long-running test (minutes on CPU), run only when <c>VIMDENSE_SLOW_TESTS=1</c>; reported as skipped otherwise.
/// </summary>
public sealed class SlowFactAttribute : FactAttribute
{
    public SlowFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("VIMDENSE_SLOW_TESTS") != "1")
            Skip = "slow: set VIMDENSE_SLOW_TESTS=1 to run";
    }
}

/// <summary>A test of what a CPU-only TorchSharp build (TorchSharp-cpu, the default) does; skipped on a CUDA build.</summary>
public sealed class CpuBackendFactAttribute : FactAttribute
{
    public CpuBackendFactAttribute()
    {
        if (global::VimDense.Engine.TorchBackend.HasCuda) Skip = "a CUDA build (TorchSharp-cuda-linux) has the backend this test checks the absence of";
    }
}

using VimDense.Native;

namespace VimDense.Engine;

/// <summary>
/// The device rows of `vimdense doctor`: which libtorch backend this build carries, which CUDA architectures the
/// native kernels were compiled for, and each GPU with whether those kernels run on it. A value starting with
/// "ERROR" is a mismatch that would stop a `--device cuda` run (doctor then exits 1).
/// </summary>
public static class DeviceReport
{
    /// <summary>Row name and a function computing its value (which may throw: the caller reports the message).</summary>
    public static IEnumerable<(string Key, Func<string> Value)> Rows()
    {
        yield return ("torch backend", () => $"{TorchBackend.Package} ({TorchBackend.PackageName}" +
            (TorchBackend.HasCuda ? $", {TorchBackend.CudaDeviceCount} GPU(s) visible)" : ": --device cuda unavailable)"));
        yield return ("native CUDA architectures", () => NativeInfo.CudaArchitectures is { Count: > 0 } archs
            ? string.Join(", ", archs.Select(a => "sm_" + a))
            : "none (built without CUDA kernels)");
        var gpus = NativeInfo.HasCuda ? NativeInfo.CudaDeviceCount : 0;
        if (gpus == 0 && TorchBackend.CudaDeviceCount > 0)
            yield return ("GPU", () => $"ERROR libtorch sees {TorchBackend.CudaDeviceCount} GPU(s) but the native library has no CUDA kernels " +
                                       "for them (rebuild native/ with the CUDA toolkit installed)");
        for (var index = 0; index < gpus; index++)
        {
            var device = index;
            yield return ($"GPU {device}", () => Describe(device));
        }
        if (gpus == 0 && TorchBackend.CudaDeviceCount == 0) yield return ("GPU", () => "none visible");
    }

    private static string Describe(int device)
    {
        var info = NativeInfo.CudaDevice(device);
        return NativeInfo.CudaKernelsFit(device)
            ? $"{info.Name}, capability {info.Major}.{info.Minor} ({info.Architecture}): native kernels fit"
            : $"ERROR {info.Name}, capability {info.Major}.{info.Minor} ({info.Architecture}): no native kernel image for it " +
              $"(compiled for {string.Join(", ", NativeInfo.CudaArchitectures.Select(a => "sm_" + a))}; rebuild with -DVD_CUDA_ARCHS={info.Major}{info.Minor})";
    }
}

using System.Reflection;
using System.Runtime.InteropServices;

namespace VimDense.Native;

/// <summary>What the loaded native library is and can do.</summary>
public static class NativeInfo
{
    /// <summary>The version this managed build expects (native/VERSION, embedded at build time).</summary>
    public static string ExpectedVersion { get; } = typeof(NativeInfo).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "VimDenseNativeVersion").Value!;

    /// <summary>vd_version() of the loaded library.</summary>
    public static string Version => Marshal.PtrToStringUTF8(VdNative.Version()) ?? "";

    /// <summary>Whether the CUDA kernels were compiled into the library.</summary>
    public static bool HasCuda => VdNative.HasCuda() != 0;

    /// <summary>CUDA devices this build can use (0 on CPU-only builds or machines).</summary>
    public static int CudaDeviceCount => VdNative.CudaDeviceCount();

    /// <summary>The CUDA architectures the kernels were compiled for ("80", "90"; empty without CUDA kernels).</summary>
    public static IReadOnlyList<string> CudaArchitectures =>
        (Marshal.PtrToStringUTF8(VdNative.CudaArchitectures()) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Name and compute capability of CUDA device <paramref name="device"/> as the library's CUDA runtime sees it.</summary>
    public static unsafe CudaDeviceInfo CudaDevice(int device)
    {
        var name = stackalloc byte[256];
        VdNative.Check(VdNative.CudaDeviceInfo(device, name, 256, out var major, out var minor), "vd_cuda_device_info");
        return new CudaDeviceInfo(device, Marshal.PtrToStringUTF8((IntPtr)name) ?? "", major, minor);
    }

    /// <summary>Whether the library holds a kernel image (SASS or PTX) that runs on CUDA device <paramref name="device"/>.</summary>
    public static bool CudaKernelsFit(int device) => VdNative.CudaKernelsFit(device) != 0;

    /// <summary>Threads used by the CPU kernels.</summary>
    public static int CpuThreads => VdNative.CpuThreads();

    /// <summary>File the library was loaded from (loads it if needed).</summary>
    public static string LoadedPath
    {
        get
        {
            _ = Version;
            return NativeLibraryLoader.LoadedPath ?? "";
        }
    }
}

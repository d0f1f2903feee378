using System.Reflection;
using TorchSharp;

namespace VimDense.Engine;

/// <summary>
/// What the TorchSharp build this program runs on can do: which libtorch runtime package it was built against
/// (TorchSharp-cpu or TorchSharp-cuda-linux, the build's TorchBackend property) and how many GPUs libtorch sees.
/// </summary>
public static class TorchBackend
{
    /// <summary>"cpu" or "cuda": the TorchBackend the assemblies were built with.</summary>
    public static string Package { get; } = typeof(TorchBackend).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .SingleOrDefault(a => a.Key == "VimDenseTorchBackend")?.Value ?? "cpu";

    /// <summary>Whether this build carries libtorch's CUDA backend (TorchSharp-cuda-linux).</summary>
    public static bool HasCuda => Package == "cuda";

    /// <summary>GPUs libtorch can use (0 on a CPU build or a machine without a usable GPU and driver).</summary>
    public static int CudaDeviceCount => HasCuda && torch.cuda.is_available() ? torch.cuda.device_count() : 0;

    /// <summary>The NuGet package of the libtorch runtime, for messages ("TorchSharp-cpu").</summary>
    public static string PackageName => HasCuda ? "TorchSharp-cuda-linux" : "TorchSharp-cpu";
}

using TorchSharp;
using System.Collections.Concurrent;
using VimDense.Native;
using static TorchSharp.torch;

namespace VimDense.Ops;

/// <summary>
/// The device check every native op makes before calling the library: all its tensors on one device, and, for CUDA
/// tensors, a library with CUDA kernels that fit that GPU. A call that cannot run where its tensors are fails with
/// one line saying why; it never falls back to the CPU behind the caller's back.
/// </summary>
public static class NativeDevices
{
    // Per CUDA device index: null when the library's kernels run there, else why not (asked once per device).
    private static readonly ConcurrentDictionary<int, string?> CudaProblems = new();

    /// <summary>
    /// Throws an <see cref="ArgumentException"/> when a tensor of <paramref name="inputs"/> (name, tensor; null
    /// tensors are skipped) is on another device than the first, and a <see cref="NotSupportedException"/> when they
    /// are on a device the native library cannot run <paramref name="op"/> on.
    /// </summary>
    public static void Require(string op, params (string Name, Tensor? Tensor)[] inputs)
    {
        var present = inputs.Where(i => i.Tensor is not null).ToList();
        if (present.Count == 0) return;
        var (firstName, first) = present[0];
        foreach (var (name, t) in present.Skip(1))
            if (t!.device_type != first!.device_type || t.device_index != first.device_index)
                throw new ArgumentException($"{op}: {name} is on {t.device}, {firstName} on {first.device}: move all inputs to one device", name);
        if (Problem(first!) is { } problem) throw new NotSupportedException($"{op}: {problem}");
    }

    /// <summary>Why the native library cannot run on <paramref name="t"/>'s device, or null when it can.</summary>
    public static string? Problem(Tensor t) => t.device_type switch
    {
        DeviceType.CPU => null,
        DeviceType.CUDA => CudaProblems.GetOrAdd(Math.Max(0, t.device_index), CudaProblem),
        var other => $"tensors on {other} are not supported by the native kernels (CPU or CUDA)",
    };

    private static string? CudaProblem(int device)
    {
        if (!NativeInfo.HasCuda)
            return $"the tensors are on cuda:{device} but {NativeInfo.LoadedPath} was built without CUDA kernels " +
                   "(no nvcc when native/ was configured); rebuild native/ with the CUDA toolkit installed";
        if (device >= NativeInfo.CudaDeviceCount)
            return $"the tensors are on cuda:{device} but the native library's CUDA runtime sees {NativeInfo.CudaDeviceCount} device(s)";
        if (!NativeInfo.CudaKernelsFit(device))
        {
            var info = NativeInfo.CudaDevice(device);
            return $"the native CUDA kernels were compiled for {Architectures()} and have no image for {info}; " +
                   $"rebuild native/ with -DVD_CUDA_ARCHS={info.Major}{info.Minor}";
        }
        return null;
    }

    private static string Architectures() =>
        NativeInfo.CudaArchitectures is { Count: > 0 } archs ? string.Join(", ", archs.Select(a => "sm_" + a)) : "no architecture";
}

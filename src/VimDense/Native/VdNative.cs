using System.Runtime.InteropServices;

namespace VimDense.Native;

/// <summary>
/// P/Invoke declarations of the library-wide entry points of <c>native/include/vimdense.h</c>.
/// Each op family declares its own functions beside its managed wrapper.
/// </summary>
internal static partial class VdNative
{
    public const string Lib = NativeLibraryLoader.LibraryName;

    /// <summary>Return codes of the C ABI (enum vd_status).</summary>
    public const int Ok = 0, InvalidArgument = 1, Unsupported = 2, CudaError = 3, OutOfMemory = 4;

    [LibraryImport(Lib, EntryPoint = "vd_version")] internal static partial IntPtr Version();
    [LibraryImport(Lib, EntryPoint = "vd_has_cuda")] internal static partial int HasCuda();
    [LibraryImport(Lib, EntryPoint = "vd_cuda_device_count")] internal static partial int CudaDeviceCount();
    [LibraryImport(Lib, EntryPoint = "vd_cuda_architectures")] internal static partial IntPtr CudaArchitectures();
    [LibraryImport(Lib, EntryPoint = "vd_cuda_device_info")]
    internal static unsafe partial int CudaDeviceInfo(int device, byte* name, int nameCapacity, out int major, out int minor);
    [LibraryImport(Lib, EntryPoint = "vd_cuda_kernels_fit")] internal static partial int CudaKernelsFit(int device);
    [LibraryImport(Lib, EntryPoint = "vd_last_error")] internal static partial IntPtr LastError();
    [LibraryImport(Lib, EntryPoint = "vd_cpu_threads")] internal static partial int CpuThreads();

    /// <summary>Turns a native status code into an exception carrying the library's message.</summary>
    public static void Check(int status, string op)
    {
        if (status == Ok) return;
        var message = Marshal.PtrToStringUTF8(LastError()) ?? "";
        throw status switch
        {
            InvalidArgument => new ArgumentException($"{op}: {message}"),
            Unsupported => new NotSupportedException($"{op}: {message}"),
            OutOfMemory => new OutOfMemoryException($"{op}: {message}"),
            _ => new InvalidOperationException($"{op}: native error {status}: {message}"),
        };
    }
}

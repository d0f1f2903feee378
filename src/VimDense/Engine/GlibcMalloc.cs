using System.Runtime.InteropServices;

namespace VimDense.Engine;

/// <summary>
/// glibc's malloc tuning calls, for the code that decides how the process's heap behaves (training's
/// <see cref="FreedMemoryRetention"/>, the benchmarks' memory runs). Every call is false where the C library is not
/// glibc (or not found).
/// </summary>
public static partial class GlibcMalloc
{
    // mallopt parameters of glibc's malloc.h.
    public const int TrimThreshold = -1, MmapThreshold = -3, MmapMax = -4;

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int NativeMallopt(int parameter, int value);

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int NativeMallocTrim(nuint pad);

    /// <summary>mallopt(parameter, value); true when glibc accepted it.</summary>
    public static bool Set(int parameter, int value) => Call(() => NativeMallopt(parameter, value) == 1);

    /// <summary>Hands the heap's free pages back to the OS now (malloc_trim(0)).</summary>
    public static bool ReleaseFreePages() => Call(() =>
    {
        NativeMallocTrim(0);
        return true;
    });

    private static bool Call(Func<bool> call)
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            return call();
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return false;
        }
    }
}

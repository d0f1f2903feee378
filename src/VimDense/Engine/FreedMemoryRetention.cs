using System.Runtime.InteropServices;

namespace VimDense.Engine;

/// <summary>
/// <c>train.retain_freed_memory=true</c>: the memory tensors free stays in the process for the next iteration instead
/// of going back to the OS (glibc's malloc: no block mapped on its own, the heap trimmed only past 2 GiB free). With
/// glibc's defaults every block above the mmap threshold (which grows to 32 MiB at most) is mapped fresh and unmapped
/// when freed, so each iteration page-faults its large tensors in again: the logits at label size, their log-softmax
/// and gradients (UperNet at 512², batch 2: 315 MiB each). Measured on 2 cores at 512², batch 2 (README, "Freed
/// memory"): 18–24 % less time per UperNet iteration, Vim-Ti and DeiT-Ti alike, for a peak resident set a third higher,
/// since freed blocks stay in the heap with its fragmentation; hence off by default. Process-wide and kept once set: a
/// process that trains keeps training. The results are the same bits either way: only where the memory comes from
/// changes.
/// </summary>
public static partial class FreedMemoryRetention
{
    // mallopt parameters of glibc's malloc.h.
    private const int TrimThreshold = -1, MmapMax = -4;

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int Mallopt(int parameter, int value);

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);

    private static readonly Lock Gate = new();

    /// <summary>Whether <see cref="Enable"/> has taken effect in this process.</summary>
    public static bool IsEnabled { get; private set; }

    /// <summary>Serves every later block from the heap and stops trimming it; false where the C library is not glibc.</summary>
    public static bool Enable()
    {
        lock (Gate)
        {
            if (IsEnabled || !OperatingSystem.IsLinux()) return IsEnabled;
            try
            {
                // Trimming stops only above 2 GiB free at the top of the heap (mallopt takes an int).
                IsEnabled = Mallopt(MmapMax, 0) == 1 && Mallopt(TrimThreshold, int.MaxValue) == 1;
            }
            catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
            {
                return false;
            }
            return IsEnabled;
        }
    }

    /// <summary>
    /// Hands the heap's free pages back to the OS now (malloc_trim), e.g. between benchmark rows so that one row's
    /// retained memory is not counted in the next one's resident set; false without glibc.
    /// </summary>
    public static bool ReleaseFreePages()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            MallocTrim(0);
            return true;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return false;
        }
    }
}

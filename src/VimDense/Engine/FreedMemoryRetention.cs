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
public static class FreedMemoryRetention
{
    private static readonly Lock Gate = new();

    /// <summary>Whether <see cref="Enable"/> has taken effect in this process.</summary>
    public static bool IsEnabled { get; private set; }

    /// <summary>Serves every later block from the heap and stops trimming it; false where the C library is not glibc.</summary>
    public static bool Enable()
    {
        lock (Gate)
        {
            // Trimming stops only above 2 GiB free at the top of the heap (mallopt takes an int).
            if (!IsEnabled) IsEnabled = GlibcMalloc.Set(GlibcMalloc.MmapMax, 0) && GlibcMalloc.Set(GlibcMalloc.TrimThreshold, int.MaxValue);
            return IsEnabled;
        }
    }
}

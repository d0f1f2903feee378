namespace VimDense.Engine.Logging;

/// <summary>
/// Resident memory of this process from /proc/self/status (Linux), with a resettable peak: the benchmarks' memory
/// numbers and the training log's <c>memory</c> (what a CPU run has instead of CUDA's max_memory_allocated).
/// </summary>
public static class ProcessMemory
{
    /// <summary>Current resident set (VmRSS) in bytes.</summary>
    public static long ResidentBytes() => ReadKiB("VmRSS:") * 1024;

    /// <summary>Peak resident set (VmHWM) in bytes since start or the last <see cref="ResetPeak"/>.</summary>
    public static long PeakResidentBytes() => ReadKiB("VmHWM:") * 1024;

    /// <summary>Peak resident set in MB (MiB, as mmseg's log), or null where /proc/self/status is not available.</summary>
    public static double? PeakResidentMegabytes() => File.Exists("/proc/self/status") ? PeakResidentBytes() / (1024.0 * 1024.0) : null;

    /// <summary>Resets VmHWM to the current RSS (writing 5 to /proc/self/clear_refs, Linux ≥ 4.0); false if not possible.</summary>
    public static bool ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static long ReadKiB(string field)
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal))
                   ?? throw new PlatformNotSupportedException($"/proc/self/status has no {field} (Linux only)");
        return long.Parse(line[field.Length..].Trim().Split(' ')[0]);
    }
}

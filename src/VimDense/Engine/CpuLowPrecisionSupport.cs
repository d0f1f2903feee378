namespace VimDense.Engine;

/// <summary>
/// Whether this CPU has the instructions that make a low-precision GEMM fast (oneDNN's bf16 kernels need AVX512_BF16
/// or AMX-BF16; fp16 needs AVX512_FP16 or AMX-FP16). Without them libtorch emulates the type and bf16/fp16 run several
/// times slower than fp32 (measured: a 1024² bf16 matmul at 1 GFLOP/s against 29 in fp32 on an AVX2-only EPYC), which
/// a researcher choosing `--precision bf16` for speed should hear about before the run, not after it.
/// </summary>
public static class CpuLowPrecisionSupport
{
    private static readonly Lazy<IReadOnlySet<string>?> Flags = new(() => ReadFlags("/proc/cpuinfo"));

    /// <summary>The "flags" of the first processor in a /proc/cpuinfo-format file; null where there is none (not Linux, not x86).</summary>
    public static IReadOnlySet<string>? ReadFlags(string cpuinfo)
    {
        try
        {
            var line = File.ReadLines(cpuinfo).FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal));
            return line is null ? null : line[(line.IndexOf(':') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    /// <summary>
    /// One line for a CPU run at <paramref name="precision"/> when <paramref name="flags"/> (default: this machine's)
    /// lack that type's GEMM instructions; null for fp32, for flags that have them, or when the flags are unknown.
    /// </summary>
    public static string? SlowPrecisionWarning(Precision precision, string key, IReadOnlySet<string>? flags = null)
    {
        flags ??= Flags.Value;
        if (flags is null || precision == Precision.Fp32) return null;
        var (needed, name) = precision == Precision.Bf16 ? (new[] { "avx512_bf16", "amx_bf16" }, "bf16") : (["avx512_fp16", "amx_fp16"], "fp16");
        return needed.Any(flags.Contains) ? null
            : $"warning: {key} is {name} on a CPU without {string.Join(" or ", needed)}: libtorch emulates {name} here and runs slower than fp32 (bench train --precision fp32,{name} measures it)";
    }
}

using VimDense.Engine;
using PrecisionKind = VimDense.Engine.Precision;

namespace VimDense.Tests.Engine;

/// <summary>The warning for bf16/fp16 on a CPU that would emulate them, from /proc/cpuinfo-format flags.</summary>
public sealed class CpuLowPrecisionSupportTests
{
    private static IReadOnlySet<string> Flags(string line)
    {
        var path = Path.Combine(TestPaths.NewTempDir(), "cpuinfo");
        File.WriteAllText(path, $"processor\t: 0\nvendor_id\t: GenuineIntel\n{line}\n\nprocessor\t: 1\nflags\t\t: fpu\n");
        return CpuLowPrecisionSupport.ReadFlags(path)!;
    }

    [Fact]
    public void WarnsOnlyWhereTheTypesGemmInstructionsAreMissing()
    {
        var avx2 = Flags("flags\t\t: fpu sse2 avx2 fma f16c");
        var amx = Flags("flags\t\t: fpu avx2 avx512f avx512_bf16 amx_bf16 amx_tile");
        var fp16 = Flags("flags\t\t: fpu avx512f avx512_fp16");

        var line = CpuLowPrecisionSupport.SlowPrecisionWarning(PrecisionKind.Bf16, "train.precision", avx2);
        Assert.NotNull(line);
        Assert.Contains("train.precision is bf16", line);
        Assert.Contains("avx512_bf16 or amx_bf16", line);
        Assert.DoesNotContain('\n', line);
        Assert.Null(CpuLowPrecisionSupport.SlowPrecisionWarning(PrecisionKind.Bf16, "train.precision", amx));
        Assert.Null(CpuLowPrecisionSupport.SlowPrecisionWarning(PrecisionKind.Fp32, "train.precision", avx2));
        Assert.NotNull(CpuLowPrecisionSupport.SlowPrecisionWarning(PrecisionKind.Fp16, "test.precision", amx));
        Assert.Null(CpuLowPrecisionSupport.SlowPrecisionWarning(PrecisionKind.Fp16, "test.precision", fp16));
    }

    [Fact]
    public void ReadsTheFirstProcessorsFlagsAndNothingWhereThereAreNone()
    {
        Assert.Contains("avx2", Flags("flags\t\t: fpu avx2"));
        Assert.DoesNotContain("fpu ", Flags("flags\t\t: fpu avx2"));
        var empty = Path.Combine(TestPaths.NewTempDir(), "cpuinfo");
        File.WriteAllText(empty, "processor\t: 0\n");
        Assert.Null(CpuLowPrecisionSupport.ReadFlags(empty));
        Assert.Null(CpuLowPrecisionSupport.ReadFlags(Path.Combine(TestPaths.NewTempDir(), "missing")));
    }
}

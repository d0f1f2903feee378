using TorchSharp;
using VimDense.Native;
using static TorchSharp.torch;

namespace VimDense.Tests.Foundation;

public class FoundationTests
{
    [Fact]
    public void TorchSharpComputesOnCpu()
    {
        using var a = arange(6, dtype: float32).reshape(2, 3);
        using var b = a.matmul(a.t());
        Assert.Equal(new float[] { 5, 14, 14, 50 }, b.data<float>().ToArray());
    }

    [Fact]
    public void NativeLibraryLoadsWithExpectedVersion()
    {
        Assert.Equal(NativeInfo.ExpectedVersion, NativeInfo.Version);
        Assert.EndsWith("libvimdense_native.so", NativeInfo.LoadedPath);
        Assert.True(NativeInfo.CpuThreads >= 1);
    }

    [Fact]
    public void DoctorExitsZero()
    {
        var (code, stdout, _) = CliRunner.Run("doctor");
        Assert.Equal(0, code);
        Assert.Contains("native version", stdout);
        Assert.Contains(NativeInfo.ExpectedVersion, stdout);
        Assert.Matches($@"OpenMP waiting +{System.Text.RegularExpressions.Regex.Escape(ExpectedOpenMpWaiting())}\n", stdout);
    }

    [Fact]
    public void OpenMpWorkersSpinBrieflyUnlessTheUserChose()
    {
        // The module initializer ran before libtorch loaded; this process sees the native environment it set.
        Assert.Equal(ExpectedOpenMpWaiting(), OpenMpEnvironment.Waiting);
    }

    /// <summary>What the user's environment (the managed copy, taken at start-up) leaves VimDense to set.</summary>
    private static string ExpectedOpenMpWaiting() =>
        Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is { } policy ? $"OMP_WAIT_POLICY={policy}"
        : $"GOMP_SPINCOUNT={Environment.GetEnvironmentVariable("GOMP_SPINCOUNT") ?? OpenMpEnvironment.SpinCount.ToString(System.Globalization.CultureInfo.InvariantCulture)}";

    [Theory]
    [InlineData("no-such-command")]
    [InlineData("doctor", "--no-such-option")]
    public void BadCommandLineExitsTwoWithOneLine(params string[] args)
    {
        var (code, _, stderr) = CliRunner.Run(args);
        Assert.Equal(2, code); // usage error
        Assert.Single(stderr.Trim().Split('\n'));
    }
}

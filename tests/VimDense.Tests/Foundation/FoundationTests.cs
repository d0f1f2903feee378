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
    }

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

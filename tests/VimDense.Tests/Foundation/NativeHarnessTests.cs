using System.Diagnostics;

namespace VimDense.Tests.Foundation;

/// <summary>Runs the C++/CUDA test harness of native/ (CTest), built by the .NET build, as part of the suite.</summary>
public class NativeHarnessTests
{
    [Fact]
    public void CTestHarnessPasses()
    {
        var buildDir = Path.Combine(TestPaths.RepoRoot, "artifacts", "native");
        Assert.True(File.Exists(Path.Combine(buildDir, "CTestTestfile.cmake")), $"no CTest build in {buildDir}");
        var start = new ProcessStartInfo("ctest", ["--test-dir", buildDir, "--output-on-failure"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"ctest failed:\n{output.Result}\n{errors.Result}");
        Assert.Contains("tests passed", output.Result);
    }
}

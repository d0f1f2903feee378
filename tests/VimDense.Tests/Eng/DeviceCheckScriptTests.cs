namespace VimDense.Tests.Eng;

/// <summary>
/// The python-free parts of the GPU check (eng/device/) and of setup.sh's options: the scripts parse, and bad
/// options fail with exit 2 and one line before anything is built or installed. The check itself needs python3
/// with torch; it is rehearsed by hand (`eng/device/run.sh --rehearse`), never in CI.
/// </summary>
public class DeviceCheckScriptTests
{
    public static TheoryData<string> Scripts => new()
    {
        "eng/device/run.sh", "eng/device/results.sh", "eng/device/stage2.sh", "eng/device/make-bundle.sh",
        "eng/device/check-symbols.sh", "eng/device/build-native-direct.sh", "setup.sh",
    };

    [Theory]
    [MemberData(nameof(Scripts))]
    public void ScriptParses(string script)
    {
        var start = new System.Diagnostics.ProcessStartInfo("bash", ["-n", Path.Combine(TestPaths.RepoRoot, script)])
        {
            RedirectStandardError = true,
        };
        using var process = System.Diagnostics.Process.Start(start)!;
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"bash -n {script}: {errors}");
    }

    [Theory]
    [InlineData("eng/device/run.sh", new[] { "--gpu" }, "unknown option '--gpu'")]
    [InlineData("eng/device/run.sh", new[] { "--rehearse", "--out" }, "--out needs a value")]
    [InlineData("setup.sh", new[] { "--cuda" }, "unknown option '--cuda'")]
    [InlineData("setup.sh", new[] { "--torch-backend", "rocm" }, "--torch-backend must be cpu or cuda, not 'rocm'")]
    [InlineData("setup.sh", new[] { "--torch-backend" }, "--torch-backend needs a value")]
    public void BadOptionExitsTwoWithOneLine(string script, string[] args, string message)
    {
        var (code, stdout, stderr) = ShellRunner.Run(script, args);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(message, line);
    }

    [Fact]
    public void RunHelpListsTheRehearsal()
    {
        var (code, stdout, _) = ShellRunner.Run("eng/device/run.sh", ["--help"]);
        Assert.Equal(0, code);
        Assert.Contains("--rehearse", stdout);
    }

    [Fact]
    public void SymbolCheckNamesAMissingLibrary()
    {
        var (code, _, stderr) = ShellRunner.Run("eng/device/check-symbols.sh", ["/nonexistent/libLibTorchSharp.so", "/tmp"]);
        Assert.Equal(2, code);
        Assert.Contains("/nonexistent/libLibTorchSharp.so not found", stderr);
    }
}

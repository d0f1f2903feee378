using Newtonsoft.Json.Linq;
using VimDense.Tests.Distributed;

namespace VimDense.Tests.Devices;

/// <summary>`--device` and the config key device from the command line: explicit cpu trains, a device this build lacks ends in one line.</summary>
public class DeviceCliTests
{
    private static string Demo => Path.Combine(TestPaths.RepoRoot, "configs", "demo", "upernet_vim_tiny_synthetic.json");

    private static void AssertOneLineError((int Code, string Stdout, string Stderr) run, string expectedStart)
    {
        Assert.True(run.Code == 1, $"exit {run.Code}: {run.Stderr}");
        var lines = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, run.Stderr);
        Assert.StartsWith(expectedStart, lines[0]);
    }

    [CpuBackendFact]
    public void TrainOnCudaWithoutACudaBuildExitsOneWithOneLine() =>
        AssertOneLineError(CliRunner.Run("train", Demo, "--work-dir", TestPaths.NewTempDir(), "--device", "cuda"),
            "vimdense: device 'cuda': this TorchSharp build has no CUDA backend (TorchSharp-cpu)");

    [CpuBackendFact]
    public void TheConfigKeyFromSetFailsTheSameWayInEval() =>
        AssertOneLineError(CliRunner.Run("eval", Demo, "--checkpoint", "missing.safetensors", "--set", "device=cuda:1"),
            "vimdense: device 'cuda:1': this TorchSharp build has no CUDA backend");

    [CpuBackendFact]
    public void CommandsThatUseTheDeviceDirectlyNameTheOption()
    {
        AssertOneLineError(CliRunner.Run("bench", "scan", "--device", "cuda"), "vimdense: --device 'cuda': this TorchSharp build has no CUDA backend");
        AssertOneLineError(CliRunner.Run("features", "--model", "vim_tiny", "--checkpoint", "x.pth", "--input", "x.npy",
            "--output", Path.Combine(TestPaths.NewTempDir(), "y.npy"), "--device", "cuda"), "vimdense: --device 'cuda': this TorchSharp build has no CUDA backend");
    }

    [Fact]
    public void ABadSpellingIsRefusedNamingTheOption()
    {
        AssertOneLineError(CliRunner.Run("predict", Demo, "--checkpoint", "c", "--images", ".", "--out", TestPaths.NewTempDir(), "--device", "gpu"),
            "vimdense: --device: 'gpu': expected cpu, cuda or cuda:N");
        var config = CliRunner.Run("print-config", Demo, "--set", "device=gpu");
        AssertOneLineError(config, "vimdense: ");
        Assert.Contains("device=gpu", config.Stderr);
        Assert.Contains("'gpu': expected cpu, cuda or cuda:N", config.Stderr);
    }

    [Fact]
    public void ExplicitCpuTrainsAndIsRecordedInTheResolvedConfig()
    {
        var workDir = TestPaths.NewTempDir();
        var (code, _, stderr) = DemoRuns.Train(workDir, 0, 2, 1, extra: ["--device", "cpu"]);
        Assert.True(code == 0, stderr);
        var resolved = JObject.Parse(File.ReadAllText(Path.Combine(workDir, "config.json")));
        Assert.Equal("cpu", (string?)resolved["device"]);
    }

    [Fact]
    public void DoctorShowsTheBackendTheNativeArchitecturesAndTheGpus()
    {
        var (code, stdout, stderr) = CliRunner.Run("doctor");
        var rows = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToDictionary(l => l.Split("  ")[0].Trim(), l => l[(l.IndexOf("  ", StringComparison.Ordinal) + 2)..].Trim());
        Assert.StartsWith($"{VimDense.Engine.TorchBackend.Package} ({VimDense.Engine.TorchBackend.PackageName}", rows["torch backend"]);
        var archs = VimDense.Native.NativeInfo.CudaArchitectures;
        Assert.Equal(archs.Count == 0 ? "none (built without CUDA kernels)" : string.Join(", ", archs.Select(a => "sm_" + a)), rows["native CUDA architectures"]);
        // A GPU whose compute capability the kernels lack is a mismatch: doctor fails then, and only then.
        var mismatch = rows.Any(r => r.Key.StartsWith("GPU", StringComparison.Ordinal) && r.Value.StartsWith("ERROR", StringComparison.Ordinal));
        Assert.True(code == (mismatch ? 1 : 0), stdout + stderr);
        if (!GpuFactAttribute.GpuAvailable.Value) Assert.True(rows.ContainsKey("GPU"), stdout);
    }
}

using Newtonsoft.Json.Linq;

namespace VimDense.Tests.Precision;

/// <summary>`bench train --precision fp32,bf16 --json`: one row per config and precision, with the speed-up over fp32.</summary>
public class BenchTrainPrecisionTests
{
    [Fact]
    public void JsonRowsNameConfigPrecisionTimeMemoryAndSpeedup()
    {
        var segmentation = Path.Combine(TestPaths.RepoRoot, "configs", "demo", "upernet_vim_tiny_synthetic.json");
        var (code, stdout, stderr) = CliRunner.Run("bench", "train", "--config", segmentation, "--precision", "fp32,bf16", "--json", "--iters", "1",
            "--warmup", "0", "--size", "64", "--set", "model.backbone.options.img_size=64");
        Assert.True(code == 0, stderr);
        var report = JObject.Parse(stdout);
        var rows = (JArray)report["rows"]!;
        Assert.Equal(["fp32", "bf16"], rows.Select(r => (string)r["precision"]!));
        Assert.All(rows, r =>
        {
            Assert.Equal("upernet_vim_tiny_synthetic", (string)r["config"]!);
            Assert.True((double)r["seconds_per_iteration"]! > 0);
            Assert.True((double)r["peak_rss_mib"]! > 0);
            Assert.True((double)r["peak_heap_mib"]! > 0);
        });
        Assert.Equal(1.0, (double)rows[0]["speedup_vs_fp32"]!, 9);
        Assert.Equal((double)rows[0]["seconds_per_iteration"]! / (double)rows[1]["seconds_per_iteration"]!, (double)rows[1]["speedup_vs_fp32"]!, 9);
        Assert.True((double)report["matmul_1024_gflops"]!["bf16"]! > 0);
    }

    [Fact]
    public void AnUnknownPrecisionIsOneLineAndExitCode1()
    {
        var (code, _, stderr) = CliRunner.Run("bench", "train", "--precision", "fp8", "--json");
        Assert.Equal(1, code);
        Assert.Contains("--precision: 'fp8' is not a precision, expected one of fp32, bf16, fp16", stderr);
        Assert.Single(stderr.Trim().Split('\n'));
    }
}

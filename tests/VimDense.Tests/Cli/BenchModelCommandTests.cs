namespace VimDense.Tests.Cli;

/// <summary>`vimdense bench model`: whole models from configs, one child process per point, ratios against the first config, CSV and PNG.</summary>
public class BenchModelCommandTests
{
    private static readonly string Segmentation = Path.Combine(TestPaths.RepoRoot, "configs", "demo", "upernet_vim_tiny_synthetic.json");
    private static readonly string Detection = Path.Combine(TestPaths.RepoRoot, "configs", "demo", "cascade_mask_rcnn_vim_tiny_synthetic.json");

    [Fact]
    public void SegmentorAndDetectorPointsWithRatiosAgainstTheFirstConfig()
    {
        var prefix = Path.Combine(TestPaths.NewTempDir(), "model");
        var (code, stdout, stderr) = CliRunner.Run("bench", "model", Segmentation, Detection, "--sizes", "64", "--iters", "1", "--min-seconds", "0",
            "--output", prefix, "model.backbone.options.drop_path_rate=0");
        Assert.True(code == 0, stderr);
        Assert.Contains("upernet_vim_tiny_synthetic/cascade_mask_rcnn_vim_tiny_synthetic images/s", stdout);
        var csv = File.ReadAllLines(prefix + ".csv");
        Assert.Equal(3, csv.Length);
        Assert.StartsWith("upernet_vim_tiny_synthetic,64,16,1,segmentation,cpu", csv[1]);
        Assert.StartsWith("cascade_mask_rcnn_vim_tiny_synthetic,64,16,1,detection,cpu", csv[2]);
        Assert.True(new FileInfo(prefix + ".png").Length > 0);
    }

    [Fact]
    public void SegmentorRunsAtTheConfigsTestPrecision()
    {
        var prefix = Path.Combine(TestPaths.NewTempDir(), "model");
        var (code, stdout, stderr) = CliRunner.Run("bench", "model", Segmentation, "--sizes", "64", "--iters", "1", "--min-seconds", "0",
            "--output", prefix, "test.precision=bf16");
        Assert.True(code == 0, stderr);
        var csv = File.ReadAllLines(prefix + ".csv");
        Assert.Equal("bf16", csv[1].Split(',')[Array.IndexOf(csv[0].Split(','), "precision")]);
    }

    [Fact]
    public void CheckpointsMustMatchTheConfigs()
    {
        var (code, _, stderr) = CliRunner.Run("bench", "model", Segmentation, Detection, "--checkpoint", "a.safetensors", "--sizes", "64");
        Assert.Equal(1, code);
        Assert.Contains("one per config", stderr);
    }
}

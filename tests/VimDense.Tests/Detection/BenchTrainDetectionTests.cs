using VimDense.Tests.Engine;

namespace VimDense.Tests.Detection;

/// <summary>`vimdense bench train` measures detection configs (random images with random instances) beside segmentation ones.</summary>
[Collection(GlobalRngCollection.Name)]
public class BenchTrainDetectionTests
{
    [Fact]
    public void BenchTrainMeasuresADetectionAndASegmentationConfigInOneRun()
    {
        var detection = Path.Combine(TestPaths.RepoRoot, "configs", "demo", "cascade_mask_rcnn_vim_tiny_synthetic.json");
        var segmentation = Path.Combine(TestPaths.RepoRoot, "configs", "demo", "upernet_vim_tiny_synthetic.json");
        var (code, stdout, stderr) = CliRunner.Run("bench", "train", "--config", detection, segmentation, "--iters", "1", "--warmup", "0",
            "--size", "64", "--set", "model.backbone.options.img_size=64", "model.backbone.options.depth=2", "model.backbone.options.out_indices=[1]");
        Assert.True(code == 0, stderr);
        var rows = stdout.Split('\n').Where(l => l.StartsWith("cascade_mask_rcnn_vim_tiny_synthetic ", StringComparison.Ordinal)
            || l.StartsWith("upernet_vim_tiny_synthetic ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, rows.Count);
        Assert.DoesNotContain(rows, r => r.Contains("failed"));
        // batch defaults: 1 image for detection, 2 for segmentation.
        Assert.Equal("1", rows[0].Split(' ', StringSplitOptions.RemoveEmptyEntries)[2]);
        Assert.Equal("2", rows[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[2]);
    }
}

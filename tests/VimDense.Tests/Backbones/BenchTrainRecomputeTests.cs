using Newtonsoft.Json.Linq;

namespace VimDense.Tests.Backbones;

/// <summary>`bench train --checkpoint-layers false,true --json`: a row per setting, memory relative to the first setting's.</summary>
public class BenchTrainRecomputeTests
{
    [Fact]
    public void RowsPerSettingGiveRssAndHeapPeaksRelativeToTheFirst()
    {
        var segmentation = Path.Combine(TestPaths.RepoRoot, "configs", "demo", "upernet_vim_tiny_synthetic.json");
        var (code, stdout, stderr) = CliRunner.Run("bench", "train", "--config", segmentation, "--checkpoint-layers", "false,true", "--json",
            "--iters", "1", "--warmup", "0", "--size", "64", "--set", "model.backbone.options.img_size=64");
        Assert.True(code == 0, stderr);
        var rows = (JArray)JObject.Parse(stdout)["rows"]!;
        Assert.Equal(["false", "true"], rows.Select(r => (string)r["checkpoint_layers"]!));
        foreach (var (peak, percent) in new[] { ("peak_rss_mib", "memory_percent"), ("peak_heap_mib", "heap_memory_percent") })
        {
            Assert.Equal(100.0, (double)rows[0][percent]!, 9);
            Assert.Equal(100 * (double)rows[1][peak]! / (double)rows[0][peak]!, (double)rows[1][percent]!, 9);
        }
    }
}

using Newtonsoft.Json.Linq;

namespace VimDense.Tests.Detection;

/// <summary>`vimdense bench detection-ops` runs on a tiny problem and rejects bad options.</summary>
public class BenchDetectionOpsCommandTests
{
    [Fact]
    public void PrintsOneTimingPerOpAsJson()
    {
        var (code, stdout, stderr) = CliRunner.Run("bench", "detection-ops", "--rois", "16", "--channels", "4", "--size", "16",
            "--boxes", "100", "--repeat", "1", "--json");
        Assert.True(code == 0, stderr);
        var ops = (JArray)JObject.Parse(stdout)["ops"]!;
        Assert.Equal(["roi_align_forward", "roi_align_backward", "nms", "batched_nms"], ops.Select(o => (string)o["op"]!));
        Assert.All(ops, o => Assert.True((double)o["median_ms"]! >= 0));
    }

    [Fact]
    public void BadOptionsExitWithOneLine()
    {
        var (code, _, stderr) = CliRunner.Run("bench", "detection-ops", "--device", "tpu");
        Assert.Equal(1, code);
        Assert.Contains("--device", stderr);
        (code, _, stderr) = CliRunner.Run("bench", "detection-ops", "--rois", "0");
        Assert.Equal(1, code);
        Assert.Contains("--rois", stderr);
    }
}

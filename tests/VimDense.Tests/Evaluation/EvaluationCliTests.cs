using Newtonsoft.Json.Linq;
using VimDense.Datasets.Evaluation;

namespace VimDense.Tests.Evaluation;

public class EvaluationCliTests
{
    [Theory]
    [InlineData("bbox")]
    [InlineData("segm")]
    public void CocoevalPrintsThePycocotoolsSummary(string iouType)
    {
        var (code, stdout, stderr) = CliRunner.Run("cocoeval", "--gt", TestPaths.Fixture("coco", "gt_100.json"),
            "--dt", TestPaths.Fixture("coco", $"dt_100_{iouType}.json"), "--iou-type", iouType);
        Assert.True(code == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(12, lines.Length);
        var expected = JArray.Parse(File.ReadAllText(TestPaths.Fixture("coco", $"stats_100_{iouType}.json"))).ToObject<double[]>()!;
        Assert.Equal($" Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = {expected[0]:0.000}", lines[0]);
        Assert.Equal($" Average Precision  (AP) @[ IoU=0.50      | area=   all | maxDets=100 ] = {expected[1]:0.000}", lines[1]);
        Assert.Equal($" Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=  1 ] = {expected[6]:0.000}", lines[6]);
    }

    [Fact]
    public void CocoevalJsonHasStatsAndPerCategory()
    {
        var (code, stdout, stderr) = CliRunner.Run("cocoeval", "--gt", TestPaths.Fixture("coco", "gt_100.json"),
            "--dt", TestPaths.Fixture("coco", "dt_100_bbox.json"), "--json");
        Assert.True(code == 0, stderr);
        var json = JObject.Parse(stdout);
        var expected = JArray.Parse(File.ReadAllText(TestPaths.Fixture("coco", "stats_100_bbox.json"))).ToObject<double[]>()!;
        var stats = json["stats"]!.ToObject<double[]>()!;
        for (var i = 0; i < 12; i++) Assert.True(Math.Abs(expected[i] - stats[i]) <= 1e-9, $"stats[{i}]");
        Assert.True(((JObject)json["per_category"]!).Count > 0);
    }

    [Fact]
    public void CocoevalReportsUnknownImageAsInputError()
    {
        var path = Path.Combine(TestPaths.NewTempDir(), "dt.json");
        File.WriteAllText(path, """[{"image_id": 123456, "category_id": 1, "bbox": [0,0,1,1], "score": 0.5}]""");
        var (code, _, stderr) = CliRunner.Run("cocoeval", "--gt", TestPaths.Fixture("coco", "gt_100.json"), "--dt", path);
        Assert.Equal(1, code);
        Assert.Contains("image_id", stderr);
    }

    [Fact]
    public void MiouOnTheFixturePrintsMmsegNumbers()
    {
        var root = TestPaths.Fixture("miou", "miou_100");
        var (code, stdout, stderr) = CliRunner.Run("miou", "--gt", Path.Combine(root, "gt"), "--pred", Path.Combine(root, "pred"),
            "--num-classes", "150", "--reduce-zero-label", "--json");
        Assert.True(code == 0, stderr);
        var expected = JObject.Parse(File.ReadAllText(Path.Combine(root, "expected.json")));
        var json = JObject.Parse(stdout);
        Assert.Equal((double)expected["mIoU"]!, (double)json["mIoU"]!, 9);
        Assert.Equal((double)expected["aAcc"]!, (double)json["aAcc"]!, 9);

        var (tableCode, table, _) = CliRunner.Run("miou", "--gt", Path.Combine(root, "gt"), "--pred", Path.Combine(root, "pred"), "--reduce-zero-label");
        Assert.Equal(0, tableCode);
        Assert.Contains($"mIoU {(double)expected["mIoU"]!:0.00}", table);
    }

    [Fact]
    public void MiouNamesAMissingPrediction()
    {
        var dir = TestPaths.NewTempDir();
        SegmentationPng.Write(Path.Combine(dir, "gt", "a.png"), new byte[] { 1, 2, 3, 4 }, 2, 2);
        SegmentationPng.Write(Path.Combine(dir, "gt", "b.png"), new byte[] { 1, 2, 3, 4 }, 2, 2);
        SegmentationPng.Write(Path.Combine(dir, "pred", "a.png"), new byte[] { 1, 2, 3, 4 }, 2, 2);
        var (code, _, stderr) = CliRunner.Run("miou", "--gt", Path.Combine(dir, "gt"), "--pred", Path.Combine(dir, "pred"), "--num-classes", "5");
        Assert.Equal(1, code);
        Assert.Contains("b.png", stderr);

        SegmentationPng.Write(Path.Combine(dir, "pred", "b.png"), new byte[] { 1, 2, 3 }, 1, 3);
        (code, _, stderr) = CliRunner.Run("miou", "--gt", Path.Combine(dir, "gt"), "--pred", Path.Combine(dir, "pred"), "--num-classes", "5");
        Assert.Equal(1, code);
        Assert.Contains("b.png", stderr);
    }

    [Fact]
    public void BenchGeneratesAndEvaluatesASmallSyntheticProblem()
    {
        var dir = TestPaths.NewTempDir();
        var (code, stdout, stderr) = CliRunner.Run("bench", "cocoeval", "--generate", dir, "--images", "30", "--dets-per-image", "20", "--categories", "5");
        Assert.True(code == 0, stderr);
        (code, stdout, stderr) = CliRunner.Run("bench", "cocoeval", "--gt", Path.Combine(dir, "instances_synthetic.json"),
            "--dt", Path.Combine(dir, "results_synthetic_bbox.json"), "--json");
        Assert.True(code == 0, stderr);
        var report = JObject.Parse(stdout);
        Assert.Equal(600, (int)report["detections"]!);
        Assert.True((double)report["stats"]![0]! > 0);
        Assert.True((double)report["peak_rss_mb"]! > 0);
    }
}

using Newtonsoft.Json.Linq;
using VimDense.Tests.Engine;

namespace VimDense.Tests.Detection;

/// <summary>The detection demo config, cut to a few iterations on a tiny synthetic COCO set: train, resume, eval, predict through the CLI.</summary>
[Collection(GlobalRngCollection.Name)]
public class DetectionDemoEndToEndTests
{
    [Fact]
    public void DemoDetectionConfigTrainsEvaluatesAndPredicts()
    {
        var temp = TestPaths.NewTempDir("vimdense-det-demo");
        var data = Path.Combine(temp, "data");
        var work = Path.Combine(temp, "work");
        var config = Path.Combine(TestPaths.RepoRoot, "configs", "demo", "cascade_mask_rcnn_vim_tiny_synthetic.json");
        string[] set =
        [
            "--set", $"data.root={data}", "data.synthetic.images=6", "data.synthetic.size=96", "data.image_size=96", "data.batch_size=2",
            "data.workers=1", "model.backbone.options.img_size=96", "model.backbone.options.depth=2", "model.backbone.options.out_indices=[1]",
        ];

        string[] Train(int iterations) => ["--work-dir", work, .. set, $"schedule.iterations={iterations}", "schedule.warmup_iters=1",
            "train.checkpoint_interval=2", "train.eval_interval=4", "train.log_interval=1", "train.overlay_images=2"];
        var (code, stdout, stderr) = CliRunner.Run(["train", config, .. Train(2)]);
        Assert.True(code == 0, stderr);
        (code, stdout, stderr) = CliRunner.Run(["train", config, "--resume", .. Train(4)]);
        Assert.True(code == 0, stderr);
        Assert.Contains("resumed from", stderr);
        foreach (var file in new[] { "iter_2.safetensors", "iter_4.safetensors", "metrics.json", "metrics.txt", "loss_curve.png", "log.jsonl", "config.json" })
            Assert.True(File.Exists(Path.Combine(work, file)), $"{file} missing");
        Assert.Single(Directory.GetFiles(work, "best_bbox_AP_iter_*.safetensors"));
        Assert.Equal(2, Directory.GetFiles(Path.Combine(work, "overlays"), "*.png").Length);
        // Ground truth | prediction, the image enlarged by a whole factor to at least 384 pixels (legible labels), under a title strip.
        var overlayPath = Directory.GetFiles(Path.Combine(work, "overlays"), "*.png")[0];
        using (var overlay = OpenCvSharp.Cv2.ImRead(overlayPath))
        using (var source = OpenCvSharp.Cv2.ImRead(Path.Combine(data, "val2017", Path.GetFileNameWithoutExtension(overlayPath) + ".jpg")))
        {
            var k = (int)Math.Ceiling(384.0 / Math.Min(source.Rows, source.Cols));
            Assert.Equal(2 * k * source.Cols, overlay.Cols);
            Assert.True(overlay.Rows > k * source.Rows, "title strip");
        }
        var train = File.ReadLines(Path.Combine(work, "log.jsonl")).Select(JObject.Parse).Where(l => (string?)l["mode"] == "train").ToList();
        Assert.Equal([1L, 2, 3, 4], train.Select(l => (long)l["iter"]!).Distinct().Order());
        Assert.All(train, l => Assert.True(l["loss_mask"] is not null && double.IsFinite((double)l["loss"]!), l.ToString()));
        var val = File.ReadLines(Path.Combine(work, "log.jsonl")).Select(JObject.Parse).Where(l => (string?)l["mode"] == "val").ToList();
        Assert.Equal([2L, 4], val.Select(l => (long)l["iter"]!));
        Assert.All(val, l => Assert.True(l["bbox_AP"] is not null && l["segm_AP"] is not null, l.ToString()));
        Assert.DoesNotContain(val.SelectMany(l => l.Properties()), p => p.Value.Type == JTokenType.Float && (double)p.Value < 0);

        var evalOut = Path.Combine(temp, "eval");
        var checkpoint = Path.Combine(work, "iter_4.safetensors");
        (code, stdout, stderr) = CliRunner.Run(["eval", config, "--checkpoint", checkpoint, "--out", evalOut, .. set]);
        Assert.True(code == 0, stderr);
        Assert.Contains("bbox (", stdout);
        Assert.Contains("segm:", stdout);
        Assert.Matches(Segmentation.DemoEndToEndTests.ProgressLine, stderr);
        Assert.Equal(2 * 12, stdout.Split('\n').Count(l => l.StartsWith(" Average ", StringComparison.Ordinal)));
        var gt = Path.Combine(data, "annotations", "instances_val2017.json");
        foreach (var (file, type) in new[] { ("results_bbox.json", "bbox"), ("results_segm.json", "segm") })
        {
            var (evalCode, _, evalErr) = CliRunner.Run("cocoeval", "--gt", gt, "--dt", Path.Combine(evalOut, file), "--iou-type", type);
            Assert.True(evalCode == 0, evalErr);
        }

        var predictOut = Path.Combine(temp, "predict");
        (code, stdout, stderr) = CliRunner.Run(["predict", config, "--checkpoint", checkpoint, "--images", Path.Combine(data, "val2017"),
            "--out", predictOut, "--score-threshold", "0", .. set]);
        Assert.True(code == 0, stderr);
        Assert.Equal(Directory.GetFiles(Path.Combine(data, "val2017")).Length, Directory.GetFiles(predictOut, "*_overlay.png").Length);
        Assert.Matches(Segmentation.DemoEndToEndTests.ProgressLine, stderr);
    }
}

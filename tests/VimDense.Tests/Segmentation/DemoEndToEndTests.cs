using Newtonsoft.Json.Linq;
using VimDense.Tests.Engine;

namespace VimDense.Tests.Segmentation;

/// <summary>The demo config, cut to a few iterations on a tiny synthetic set: train, resume, eval, predict through the CLI.</summary>
[Collection(GlobalRngCollection.Name)]
public class DemoEndToEndTests
{
    [Fact]
    public void DemoConfigTrainsResumesEvaluatesAndPredicts()
    {
        var temp = TestPaths.NewTempDir("vimdense-demo");
        var data = Path.Combine(temp, "data");
        var work = Path.Combine(temp, "work");
        var config = Path.Combine(TestPaths.RepoRoot, "configs", "demo", "upernet_vim_tiny_synthetic.json");
        string[] Settings(int iterations) =>
        [
            "--work-dir", work, "--set", $"data.root={data}", "data.synthetic.images=6", "data.batch_size=2", "data.workers=1",
            $"schedule.iterations={iterations}", "schedule.warmup_iters=2", "train.checkpoint_interval=2", "train.eval_interval=2",
            "train.log_interval=1", "train.overlay_images=2",
        ];

        var (code, stdout, stderr) = CliRunner.Run(["train", config, .. Settings(2)]);
        Assert.True(code == 0, stderr);
        Assert.True(File.Exists(Path.Combine(work, "iter_2.safetensors")), stderr);
        (code, stdout, stderr) = CliRunner.Run(["train", config, "--resume", .. Settings(4)]);
        Assert.True(code == 0, stderr);
        Assert.Contains("resumed from", stderr);
        Assert.Contains("mIoU", stdout);
        foreach (var file in new[] { "iter_4.safetensors", "metrics.json", "metrics.txt", "loss_curve.png", "log.jsonl", "config.json" })
            Assert.True(File.Exists(Path.Combine(work, file)), $"{file} missing");
        Assert.Equal(2, Directory.GetFiles(Path.Combine(work, "overlays"), "*.png").Length);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(work, "tf_logs")));
        Assert.Single(Directory.GetFiles(work, "best_mIoU_iter_*.safetensors"));
        var losses = File.ReadLines(Path.Combine(work, "log.jsonl")).Select(JObject.Parse).Where(l => (string?)l["mode"] == "train").Select(l => (long)l["iter"]!).Distinct();
        Assert.Equal([1L, 2, 3, 4], losses.Order());
        AssertPictures(work, data);

        var evalOut = Path.Combine(temp, "eval");
        (code, stdout, stderr) = CliRunner.Run("eval", config, "--checkpoint", Path.Combine(work, "iter_4.safetensors"), "--out", evalOut,
            "--set", $"data.root={data}");
        Assert.True(code == 0, stderr);
        Assert.Contains("mIoU", stdout);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(evalOut, "predictions"), "*.png"));
        Assert.Matches(ProgressLine, stderr);

        var predictOut = Path.Combine(temp, "predict");
        (code, stdout, stderr) = CliRunner.Run("predict", config, "--checkpoint", Path.Combine(work, "iter_4.safetensors"),
            "--images", Path.Combine(data, "images", "validation"), "--out", predictOut, "--set", $"data.root={data}");
        Assert.True(code == 0, stderr);
        Assert.NotEmpty(Directory.GetFiles(predictOut, "*_overlay.png"));
        Assert.Matches(ProgressLine, stderr);
    }

    /// <summary>A progress line of n/total images with elapsed&lt;ETA and the rate.</summary>
    internal const string ProgressLine = @"\] (\d+)/\1 100\.0% \d\d:\d\d<00:00 \d+\.\d\d it/s";

    /// <summary>
    /// What a run leaves to look at: mmseg's time / data_time / memory on every train line, the lr and metric curves,
    /// overlays of image | ground truth | prediction with a legend (enlarged to 384 pixels), and those overlays as
    /// TensorBoard images.
    /// </summary>
    private static void AssertPictures(string work, string data)
    {
        var train = File.ReadLines(Path.Combine(work, "log.jsonl")).Select(JObject.Parse).Where(l => (string?)l["mode"] == "train").ToList();
        Assert.All(train, l => Assert.True(l["time"]?.Type == JTokenType.Float && l["data_time"]?.Type == JTokenType.Float
            && (double)l["memory"]! > 0 && (double)l["data_time"]! <= (double)l["time"]!, l.ToString()));
        foreach (var file in new[] { "lr_curve.png", "val_curve.png" }) Assert.True(File.Exists(Path.Combine(work, file)), $"{file} missing");

        var overlay = Directory.GetFiles(Path.Combine(work, "overlays"), "*.png").Order().First();
        using var image = OpenCvSharp.Cv2.ImRead(Path.Combine(data, "images", "validation", Path.GetFileNameWithoutExtension(overlay) + ".jpg"));
        var k = (int)Math.Ceiling(384.0 / Math.Min(image.Rows, image.Cols));
        using var picture = OpenCvSharp.Cv2.ImRead(overlay);
        Assert.Equal(3 * k * image.Cols, picture.Cols);
        Assert.True(picture.Rows > k * image.Rows, "title and legend strips");

        var images = Directory.GetFiles(Path.Combine(work, "tf_logs")).SelectMany(LoggingTests.ReadEvents)
            .SelectMany(e => e.Summary?.Value ?? []).Where(v => v.Image is not null).ToList();
        Assert.Equal(4, images.Count); // 2 overlays after each of the two runs
        Assert.All(images, v => Assert.StartsWith("val/overlay/", v.Tag));
    }

    [Fact]
    public void BadConfigInputGivesOneLineErrors()
    {
        var config = Path.Combine(TestPaths.RepoRoot, "configs", "demo", "upernet_vim_tiny_synthetic.json");
        var (code, _, stderr) = CliRunner.Run("train", config, "--set", "optimizer.lr_typo=1");
        Assert.Equal(1, code);
        Assert.Contains("unknown key 'optimizer.lr_typo'", stderr);
        (code, _, stderr) = CliRunner.Run("train", "/nonexistent/config.json");
        Assert.Equal(1, code);
        Assert.Contains("not found", stderr);
        (code, _, stderr) = CliRunner.Run("train", config, "--resume", "--work-dir", TestPaths.NewTempDir(), "--set", $"data.root={TestPaths.NewTempDir()}", "data.synthetic.images=2");
        Assert.Equal(1, code);
        Assert.Contains("no checkpoint", stderr);
    }
}

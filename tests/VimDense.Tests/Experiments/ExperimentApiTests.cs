using OpenCvSharp;
using VimDense.Datasets.Synthetic;
using VimDense.Experiments;
using VimDense.Tests.Engine;
using static TorchSharp.torch;

namespace VimDense.Tests.Experiments;

/// <summary>The public experiments API: one parse per config, code changes before building, predictors on paths and tensors, `show --config`.</summary>
[Collection(GlobalRngCollection.Name)]
public class ExperimentApiTests
{
    private static string Config(string name) => Path.Combine(TestPaths.RepoRoot, "configs", "demo", name);

    [Fact]
    public void FromConfigReturnsTheExperimentOfTheConfigsTask()
    {
        Assert.IsType<SegmentationExperiment>(Experiment.FromConfig(Config("upernet_vim_tiny_synthetic.json")));
        Assert.IsType<DetectionExperiment>(Experiment.FromConfig(Config("cascade_mask_rcnn_vim_tiny_synthetic.json")));
        var error = Assert.Throws<UserInputException>(() => Experiment.FromConfig(Config("upernet_vim_tiny_synthetic.json"), ["task=panoptic"]));
        Assert.Contains("task 'panoptic': expected segmentation or detection", error.Message);
        var work = TestPaths.NewTempDir();
        Assert.Equal(work, Experiment.FromConfig(Config("upernet_vim_tiny_synthetic.json"), workDir: work).WorkDir);
    }

    [Fact]
    public void ConfigChangesInCodeApplyToWhatIsBuiltAfterwards()
    {
        var experiment = Experiment.FromConfig<SegmentationExperiment>(Config("upernet_vim_tiny_synthetic.json"));
        experiment.Config.Model.NumClasses = 5;
        var data = experiment.Config.Data.Json;
        data["classes"] = new Newtonsoft.Json.Linq.JArray("a", "b", "c", "d", "e");
        data["crop_size"] = new Newtonsoft.Json.Linq.JArray(48, 48);
        experiment.Config.Data = new VimDense.Config.ConfigSection("data", data);
        var classifier = experiment.BuildModel(loadPretrained: false).named_parameters()
            .Single(p => p.name.StartsWith("decode_head.", StringComparison.Ordinal) && p.name.EndsWith("conv_seg.weight", StringComparison.Ordinal));
        Assert.Equal(5, classifier.parameter.shape[0]);
        Assert.Equal((48, 48), experiment.PipelineOptions().CropSize);
    }

    [Fact]
    public void SegmentationPredictorGivesOneAnswerForAFileAndItsTensor()
    {
        var temp = TestPaths.NewTempDir();
        var experiment = Experiment.FromConfig<SegmentationExperiment>(Config("upernet_vim_tiny_synthetic.json"), workDir: temp);
        var predictor = new SegmentationPredictor(experiment, experiment.BuildModel(loadPretrained: false));
        var path = Path.Combine(temp, "image.png");
        var (rgb, height, width) = WriteRandomImage(path, 50, 70);
        using var fromFile = predictor.Predict(path);
        using var fromTensor = predictor.Predict(rgb);
        Assert.Equal((height, width), (fromFile.Height, fromFile.Width));
        Assert.Equal([8L, height, width], fromFile.Scores.shape);
        Assert.Equal(height * width, fromFile.Labels.Length);
        Assert.Equal(fromFile.Labels, fromTensor.Labels);
        Assert.Equal(fromFile.Scores.argmax(0).to(ScalarType.Byte).data<byte>().ToArray(), fromFile.Labels);
    }

    [Fact]
    public void DetectionPredictorReturnsDetectionsInTheOriginalImage()
    {
        var temp = TestPaths.NewTempDir();
        var experiment = Experiment.FromConfig<DetectionExperiment>(Config("cascade_mask_rcnn_vim_tiny_synthetic.json"),
            ["model.backbone.options.depth=2", "model.backbone.options.out_indices=[1]", "model.roi_heads.score_threshold=0", "model.roi_heads.detections_per_image=10"], temp);
        var predictor = new DetectionPredictor(experiment, experiment.BuildModel(loadPretrained: false)) { ScoreThreshold = 0 };
        var path = Path.Combine(temp, "image.png");
        var (rgb, height, width) = WriteRandomImage(path, 90, 120);
        var prediction = predictor.Predict(path);
        Assert.Equal((height, width), (prediction.Height, prediction.Width));
        Assert.Equal(10, prediction.Detections.Count); // untrained scores are about 1/5: the threshold 0 keeps the top 10
        foreach (var d in prediction.Detections)
        {
            Assert.InRange(d.X1, 0, width);
            Assert.InRange(d.Y2, 0, height + 1e-3);
            Assert.Equal(height * width, d.Bitmask!.Length);
            Assert.Contains(prediction.ClassName(d), predictor.ClassNames);
        }
        var fromTensor = predictor.Predict(rgb);
        Assert.Equal(prediction.Detections.Select(d => d.Score), fromTensor.Detections.Select(d => d.Score));
    }

    [Fact]
    public void ShowWithAConfigUsesItsPipeline()
    {
        var root = TestPaths.NewTempDir();
        SyntheticAde20kWriter.Write(root, new SyntheticOptions { Images = 4, Classes = 8, Size = 96, Seed = 1 });
        var png = Path.Combine(root, "show.png");
        // The demo config crops its training samples to 64×64 (drawn beside their labels: 128×64); without a
        // config, --size 24 would set the crop.
        var (code, stdout, stderr) = CliRunner.Run("show", "ade20k", root, "--augment", "--size", "24", "--config", Config("upernet_vim_tiny_synthetic.json"), "--output", png);
        Assert.True(code == 0, stderr);
        Assert.Contains("wrote 128x64 ", stdout);
        (code, _, stderr) = CliRunner.Run("show", "coco", root, "--config", Config("upernet_vim_tiny_synthetic.json"), "--output", png);
        Assert.Equal(1, code);
        Assert.Contains("task 'segmentation' does not match show coco", stderr);
    }

    /// <summary>Writes a random RGB picture and returns it as a (3, H, W) tensor of 0–255 values.</summary>
    private static (Tensor Rgb, int Height, int Width) WriteRandomImage(string path, int height, int width)
    {
        var rgb = randint(0, 256, [3, height, width], dtype: ScalarType.Byte, generator: new TorchSharp.torch.Generator(7));
        var bytes = rgb.flip(0).permute(1, 2, 0).contiguous().data<byte>().ToArray(); // BGR, interleaved
        using var mat = Mat.FromPixelData(height, width, MatType.CV_8UC3, bytes);
        Cv2.ImWrite(path, mat);
        return (rgb, height, width);
    }
}

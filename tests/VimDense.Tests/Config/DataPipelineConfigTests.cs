using VimDense.Config;
using VimDense.Datasets.Transforms;
using VimDense.Experiments;

namespace VimDense.Tests.Config;

/// <summary>
/// The data section binds into the loader settings (<see cref="DataConfig"/>) and the task's pipeline options;
/// the expected options below are what the hand-written mapping from the old catch-all DataConfig produced.
/// </summary>
public class DataPipelineConfigTests
{
    private static string Config(string name) => Path.Combine(TestPaths.RepoRoot, "configs", name);

    private static readonly float[] ImageNetMean = [123.675f, 116.28f, 103.53f];
    private static readonly float[] ImageNetStd = [58.395f, 57.12f, 57.375f];

    [Theory]
    [InlineData("demo/upernet_vim_tiny_synthetic.json", 256, 96, 0.75, 1.5, 64, 123.675f, 58.395f)]
    [InlineData("ade20k/upernet_vim_tiny_512_60k.json", 2048, 512, 0.5, 2.0, 512, 123.675f, 58.395f)]
    [InlineData("ade20k/segmenter_vim_tiny_512.json", 2048, 512, 0.5, 2.0, 512, 127.5f, 127.5f)]
    public void SegmentationConfigsBindTheOldPipelineOptions(string name, int scaleLong, int scaleShort, double ratioMin, double ratioMax,
        int crop, float mean0, float std0)
    {
        var experiment = Experiment.FromConfig<SegmentationExperiment>(Config(name));
        var options = experiment.PipelineOptions();
        Assert.Equal(((scaleLong, scaleShort), (ratioMin, ratioMax), (crop, crop)), (options.Scale, options.RatioRange, options.CropSize));
        Assert.Equal((0.75, 0.5, true, (byte)255), (options.CatMaxRatio, options.FlipProbability, options.PhotoMetricDistortion, options.IgnoreIndex));
        var (mean, std) = mean0 == 127.5f ? ([127.5f, 127.5f, 127.5f], [127.5f, 127.5f, 127.5f]) : (ImageNetMean, ImageNetStd);
        Assert.Equal(mean, options.Normalize.Mean);
        Assert.Equal(std, options.Normalize.Std);
        Assert.Equal(std0, options.Normalize.Std[0]);
        Assert.True(options.Normalize.ToRgb);
    }

    [Theory]
    [InlineData("demo/cascade_mask_rcnn_vim_tiny_synthetic.json", 128, 0.5, 1.5, 4)]
    [InlineData("coco/cascade_mask_rcnn_vim_tiny_1024_lsj.json", 1024, 0.1, 2.0, 64)]
    public void DetectionConfigsBindTheOldPipelineOptions(string name, int size, double scaleMin, double scaleMax, int batchSize)
    {
        var experiment = Experiment.FromConfig<DetectionExperiment>(Config(name));
        var options = experiment.PipelineOptions();
        Assert.Equal(((size, size), (scaleMin, scaleMax), 0.5), (options.ImageSize, options.ScaleRange, options.FlipProbability));
        Assert.Equal((size, size, true), (options.TestShortEdge, options.TestMaxSize, options.RecomputeBoxes));
        Assert.Equal(ImageNetMean, options.Normalize.Mean);
        Assert.Equal(ImageNetStd, options.Normalize.Std);
        Assert.Equal(("coco", batchSize), (experiment.Data.Type, experiment.Data.BatchSize));
    }

    [Theory]
    [InlineData("demo/upernet_vim_tiny_synthetic.json", "data.image_size=64")]
    [InlineData("demo/upernet_vim_tiny_synthetic.json", "data.lsj_scale_range=[0.5, 1.0]")]
    [InlineData("demo/cascade_mask_rcnn_vim_tiny_synthetic.json", "data.crop_size=[64, 64]")]
    [InlineData("demo/cascade_mask_rcnn_vim_tiny_synthetic.json", "data.photo_metric_distortion=false")]
    [InlineData("demo/upernet_vim_tiny_synthetic.json", "data.crop=64")]
    public void AKeyOfTheOtherTasksPipelineOrNoneIsAnErrorNamingItsOrigin(string name, string assignment)
    {
        var key = assignment[..assignment.IndexOf('=')];
        var error = Assert.Throws<UserInputException>(() => Experiment.FromConfig(Config(name), [assignment]));
        Assert.Contains($"unknown key '{key}' (from --set {assignment})", error.Message);
        Assert.Contains("batch_size", error.Message);
        Assert.Contains(name.Contains("upernet") ? "crop_size" : "lsj_scale_range", error.Message);
    }

    [Fact]
    public void APairThatIsNotTwoValuesIsAnErrorNamingTheKey()
    {
        var error = Assert.Throws<UserInputException>(() => Experiment.FromConfig(Config("demo/upernet_vim_tiny_synthetic.json"), ["data.scale=[256]"]));
        Assert.Contains("data.scale (from --set data.scale=[256]): bad value", error.Message);
    }

    [Fact]
    public void OverridesReachThePipelineAndTheLoader()
    {
        var experiment = Experiment.FromConfig<SegmentationExperiment>(Config("demo/upernet_vim_tiny_synthetic.json"),
            ["data.flip_probability=0", "data.mean=[1, 2, 3]", "data.batch_size=2", "model.ignore_index=0"]);
        var options = experiment.PipelineOptions();
        Assert.Equal((0.0, (byte)0), (options.FlipProbability, options.IgnoreIndex));
        Assert.Equal([1f, 2f, 3f], options.Normalize.Mean);
        Assert.Equal(ImageNetStd, options.Normalize.Std);
        Assert.Equal((2, "work_dirs/data/synthetic_ade20k"), (experiment.Data.BatchSize, experiment.Data.Root));
    }
}

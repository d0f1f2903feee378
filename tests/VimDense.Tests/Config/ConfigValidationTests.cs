using VimDense.Experiments;
using static VimDense.Tests.Engine.ConfigTests;

namespace VimDense.Tests.Config;

/// <summary>
/// Every numeric config field is checked for its JSON type (integers are integers) and its range when the config is
/// loaded, and the error names the key, the value and where it came from (a file of the base chain or a --set).
/// </summary>
public class ConfigValidationTests
{
    private static string Demo(string name) => Path.Combine(TestPaths.RepoRoot, "configs", "demo", name);

    private static UserInputException Refused(string config, params string[] overrides) =>
        Assert.Throws<UserInputException>(() => Experiment.FromConfig(config, overrides, TestPaths.NewTempDir()));

    [Theory]
    [InlineData("train.checkpoint_interval=0", "train.checkpoint_interval = 0", "must be >= 1")]
    [InlineData("train.log_interval=0", "train.log_interval = 0", "must be >= 1")]
    [InlineData("train.eval_interval=-1", "train.eval_interval = -1", "must be >= 0")]
    [InlineData("train.ema_decay=1.5", "train.ema_decay = 1.5", "must be <= 1")]
    [InlineData("optimizer.accumulation_steps=0", "optimizer.accumulation_steps = 0", "must be >= 1")]
    [InlineData("optimizer.lr=-1e-3", "optimizer.lr = -0.001", "must be >= 0")]
    [InlineData("optimizer.betas=[0.9]", "optimizer.betas = [0.9]", "must hold 2 values")]
    [InlineData("schedule.iterations=0", "schedule.iterations = 0", "must be >= 1")]
    [InlineData("schedule.iterations=-5", "schedule.iterations = -5", "must be >= 1")]
    [InlineData("schedule.milestones=[300,100]", "schedule.milestones = [300, 100]", "must be in increasing order")]
    [InlineData("data.batch_size=0", "data.batch_size = 0", "must be >= 1")]
    [InlineData("data.workers=0", "data.workers = 0", "must be >= 1")]
    [InlineData("data.max_image_pixels=0", "data.max_image_pixels = 0", "must be >= 1")]
    [InlineData("data.mean=[1]", "data.mean = [1]", "must hold 3 values, found 1")]
    [InlineData("data.std=[1,0,1]", "data.std = [1, 0, 1]", "must be > 0")]
    [InlineData("data.crop_size=[0,0]", "data.crop_size = [0, 0]", "must be >= 1")]
    [InlineData("data.ratio_range=[-1,2]", "data.ratio_range = [-1, 2]", "must be > 0")]
    [InlineData("data.ratio_range=[2,0.5]", "data.ratio_range = [2, 0.5]", "must be in increasing order")]
    [InlineData("data.flip_probability=2", "data.flip_probability = 2", "must be <= 1")]
    [InlineData("test.stride=0", "test.stride = 0", "must be >= 1")]
    [InlineData("model.num_classes=0", "model.num_classes = 0", "must be >= 1")]
    [InlineData("model.backbone.options.depth=0", "model.backbone.options.depth = 0", "must be >= 1")]
    public void AnOutOfRangeValueNamesTheKeyValueAndOverride(string assignment, string keyAndValue, string problem)
    {
        var error = Refused(Demo("upernet_vim_tiny_synthetic.json"), assignment);
        Assert.Contains($"{keyAndValue} (from --set {assignment}): {problem}", error.Message);
    }

    [Theory]
    [InlineData("data.batch_size=8.5", "expected an integer, found 8.5")]
    [InlineData("data.batch_size=8.0", "expected an integer, found 8.0")]
    [InlineData("data.batch_size=\"4\"", "expected an integer, found the string \"4\"")]
    [InlineData("schedule.iterations=1e3", "expected an integer, found 1000")]
    [InlineData("data.workers=99999999999", "expected an integer that fits a Int32")]
    [InlineData("optimizer.lr=\"1e-3\"", "expected a number, found the string \"1e-3\"")]
    public void AnIntegerFieldTakesOnlyAJsonIntegerAndANumberFieldNoString(string assignment, string problem)
    {
        var error = Refused(Demo("upernet_vim_tiny_synthetic.json"), assignment);
        Assert.Contains($"(from --set {assignment}): bad value: {problem}", error.Message);
    }

    [Fact]
    public void AFaultInAFileNamesTheFile()
    {
        var dir = TestPaths.NewTempDir();
        var child = Write(dir, "child.json", $$"""{ "base": "{{Demo("upernet_vim_tiny_synthetic.json")}}", "train": { "log_interval": 2.5 } }""");
        Assert.Contains($"train.log_interval (from {child}): bad value: expected an integer, found 2.5", Refused(child).Message);
        var other = Write(dir, "other.json", $$"""{ "base": "{{Demo("cascade_mask_rcnn_vim_tiny_synthetic.json")}}", "data": { "lsj_scale_range": [2.0, 0.1] } }""");
        Assert.Contains($"data.lsj_scale_range = [2, 0.1] (from {other}): must be in increasing order", Refused(other).Message);
    }

    [Fact]
    public void ValuesAtTheBoundsAreAccepted()
    {
        var experiment = Experiment.FromConfig<SegmentationExperiment>(Demo("upernet_vim_tiny_synthetic.json"),
            ["train.eval_interval=0", "train.keep_last=0", "schedule.iterations=1", "optimizer.lr=0", "data.flip_probability=1",
             "data.mean=[0, 0, 0]", "data.ratio_range=[1, 1]", "data.on_bad_sample=skip", "data.max_image_pixels=1"], TestPaths.NewTempDir());
        Assert.Equal(1, experiment.Config.Schedule.Iterations);
        Assert.Equal(VimDense.Config.BadSamplePolicy.Skip, experiment.Data.OnBadSample);
    }

    [Fact]
    public void AnUnknownBadSamplePolicyIsRefused()
    {
        var error = Refused(Demo("upernet_vim_tiny_synthetic.json"), "data.on_bad_sample=ignore");
        Assert.Contains("data.on_bad_sample (from --set data.on_bad_sample=ignore)", error.Message);
    }
}

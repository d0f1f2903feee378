using VimDense.Backbones;
using VimDense.Heads.Segmentation;
using VimDense.Config;

namespace VimDense.Tests.Engine;

public class ConfigTests
{
    /// <summary>Writes a config file <paramref name="name"/> into <paramref name="dir"/>.</summary>
    internal static string Write(string dir, string name, string json)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void DefaultsBaseAndOverridesCombine()
    {
        var dir = TestPaths.NewTempDir();
        Write(dir, "base.json", """{ "optimizer": { "lr": 0.001, "betas": [0.8, 0.9] }, "model": { "num_classes": 10 } }""");
        var path = Write(dir, "child.json", """{ "base": "base.json", "optimizer": { "weight_decay": 0.1 } }""");
        var config = ConfigLoader.Load(path, ["schedule.iterations=20", "model.backbone.options.depth=4", "test.mode=whole", "optimizer.betas=[0.5,0.6]"]);
        Assert.Equal(0.001, config.Optimizer.Lr);
        Assert.Equal(0.1, config.Optimizer.WeightDecay);
        Assert.Equal([0.5, 0.6], config.Optimizer.Betas);
        Assert.Equal(10, config.Model.NumClasses);
        Assert.Equal(20, config.Schedule.Iterations);
        Assert.Equal(4, config.Model.Backbone.Options.Bind<VimOptions>().Depth);
        Assert.Equal(InferenceMode.Whole, config.Test.Bind<InferenceOptions>().Mode);
        Assert.Equal(1500, config.Schedule.WarmupIters);
        Assert.Equal("fcn", config.Model.AuxiliaryHead.Type);
    }

    [Fact]
    public void UnknownKeysAreErrorsNamingKeyAndFile()
    {
        var dir = TestPaths.NewTempDir();
        var path = Write(dir, "bad.json", """{ "optimizer": { "learning_rate": 0.1 } }""");
        var error = Assert.Throws<UserInputException>(() => ConfigLoader.Load(path));
        Assert.Contains("optimizer.learning_rate", error.Message);
        Assert.Contains("bad.json", error.Message);
        var withTypo = ConfigLoader.Load(Write(dir, "ok.json", "{}"), ["model.decode_head.chanels=3"]);
        var fromSet = Assert.Throws<UserInputException>(() => SegmentorBuilder.Validate(withTypo.Model));
        Assert.Contains("model.decode_head.chanels", fromSet.Message);
        Assert.Contains("--set model.decode_head.chanels=3", fromSet.Message);
    }

    [Fact]
    public void EveryShippedConfigLoads()
    {
        var configs = Directory.GetFiles(Path.Combine(TestPaths.RepoRoot, "configs"), "*.json", SearchOption.AllDirectories)
            .Where(p => p.Contains("ade20k") || p.Contains("demo")).ToList();
        Assert.NotEmpty(configs);
        foreach (var path in configs) ConfigLoader.Load(path);
    }
}

using VimDense.Backbones;
using VimDense.Config;
using VimDense.Heads.Segmentation;
using static VimDense.Tests.Engine.ConfigTests;

namespace VimDense.Tests.Config;

/// <summary>Keys keep their origin through "base" chains and --set; replacing a component's type drops what only the old one knew.</summary>
public class ConfigOriginTests
{
    [Fact]
    public void AnUnknownKeyNamesTheFileOfTheChainThatGaveIt()
    {
        var dir = TestPaths.NewTempDir();
        var basePath = Write(dir, "base.json", """{ "model": { "decode_head": { "type": "upernet", "chanels": 8 } } }""");
        var child = Write(dir, "child.json", """{ "base": "base.json", "model": { "decode_head": { "channels": 16 } } }""");
        var error = Assert.Throws<UserInputException>(() => SegmentorBuilder.Validate(ConfigLoader.Load(child).Model));
        Assert.Contains("model.decode_head.chanels", error.Message);
        Assert.Contains(basePath, error.Message);
        Assert.DoesNotContain(child, error.Message);
    }

    [Fact]
    public void ANewTypeKeepsTheInheritedKeysItKnowsAndDropsTheOthers()
    {
        var dir = TestPaths.NewTempDir();
        Write(dir, "base.json", """{ "model": { "decode_head": { "type": "upernet", "channels": 24, "pool_scales": [1, 2], "dropout_ratio": 0.3 } } }""");
        var child = Write(dir, "child.json", """{ "base": "base.json", "model": { "decode_head": { "type": "fcn", "num_convs": 2 } } }""");
        var options = ConfigLoader.Load(child).Model.DecodeHead.Bind<FcnHeadOptions>("type");
        Assert.Equal((24, 0.3, 2), (options.Channels, options.DropoutRatio, options.NumConvs));
    }

    [Fact]
    public void AKeyTheNewTypeDoesNotKnowIsStillAnErrorInTheFileThatNamesTheType()
    {
        var dir = TestPaths.NewTempDir();
        Write(dir, "base.json", """{ "model": { "decode_head": { "type": "upernet" } } }""");
        var child = Write(dir, "child.json", """{ "base": "base.json", "model": { "decode_head": { "type": "fcn", "pool_scales": [1] } } }""");
        var error = Assert.Throws<UserInputException>(() => SegmentorBuilder.Validate(ConfigLoader.Load(child).Model));
        Assert.Contains("model.decode_head.pool_scales", error.Message);
        Assert.Contains(child, error.Message);
    }

    [Fact]
    public void BackboneEnumsBindFromTheirSnakeCaseNames()
    {
        var path = Write(TestPaths.NewTempDir(), "vim.json",
            """{ "model": { "backbone": { "type": "vim_small", "options": { "feature_source": "residual_norm", "class_token": "middle", "final_pool": "max" } } } }""");
        var options = Assert.IsType<VimOptions>(BackboneFactory.BindOptions(ConfigLoader.Load(path).Model.Backbone));
        Assert.Equal((FeatureSource.ResidualNorm, ClassTokenPlacement.Middle, FinalPool.Max), (options.FeatureSource, options.ClassToken, options.FinalPool));
        var bad = ConfigLoader.Load(path, ["model.backbone.options.feature_source=block"]);
        var error = Assert.Throws<UserInputException>(() => BackboneFactory.BindOptions(bad.Model.Backbone));
        Assert.Contains("model.backbone.options.feature_source", error.Message);
        Assert.Contains("--set model.backbone.options.feature_source=block", error.Message);
    }

    [Fact]
    public void AVitOptionIsAnErrorForAVimBackbone()
    {
        var path = Write(TestPaths.NewTempDir(), "vim.json", """{ "model": { "backbone": { "type": "vim_tiny", "options": { "window_size": 14 } } } }""");
        var error = Assert.Throws<UserInputException>(() => BackboneFactory.BindOptions(ConfigLoader.Load(path).Model.Backbone));
        Assert.Contains("model.backbone.options.window_size", error.Message);
        Assert.Contains(path, error.Message);
    }

    [Theory]
    [InlineData("model.decode_head.extra.x=1", "model.decode_head.extra")] // a section --set creates inside the file's section
    [InlineData("model.foo.bar=1", "model.foo")]
    [InlineData("foo.bar=1", "foo")]                                      // a top-level section --set creates
    [InlineData("model.decode_head.chanels=48", "model.decode_head.chanels")]
    public void AnUnknownKeyFromSetIsBlamedOnTheSetNotTheFile(string assignment, string key)
    {
        var path = Write(TestPaths.NewTempDir(), "c.json", """{ "model": { "decode_head": { "type": "upernet", "channels": 8 } } }""");
        var error = Assert.Throws<UserInputException>(() => SegmentorBuilder.Validate(ConfigLoader.Load(path, [assignment]).Model));
        Assert.Contains($"unknown key '{key}' (from --set {assignment})", error.Message);
        Assert.DoesNotContain(path, error.Message);
    }
}

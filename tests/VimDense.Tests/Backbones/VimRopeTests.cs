using VimDense.Backbones;
using VimDense.Config;
using VimDense.IO;
using VimDense.Layers;
using static TorchSharp.torch;

namespace VimDense.Tests.Backbones;

/// <summary>
/// RoPE against hustvl/Vim's own rope.py / models_mamba.py / seg and det backbones (fixtures of
/// tools/reference/vim_rope_fixtures.py in Backbones/Data/rope: D 64, depth 3).
/// </summary>
public sealed class VimRopeTests
{
    private static readonly string DataDir = Path.Combine(TestPaths.RepoRoot, "tests", "VimDense.Tests", "Backbones", "Data", "rope");

    private static Tensor Read(string file) => NpyFile.Read(Path.Combine(DataDir, file));

    [Theory]
    [InlineData(4, 14)]
    [InlineData(6, 10)]
    public void TablesAndRotationMatchRopePy(int side, int pt)
    {
        var name = $"rope_d64_grid{side}_pt{pt}";
        using var rope = new VisionRotaryEmbedding(64, pt);
        var (cos, sin) = rope.Tables(side, side);
        using (cos) using (sin) using (var expectedCos = Read(name + ".cos.npy")) using (var expectedSin = Read(name + ".sin.npy"))
        {
            VimFixtureTests.AssertClose(expectedCos.t(), cos, 1e-6);
            VimFixtureTests.AssertClose(expectedSin.t(), sin, 1e-6);
        }
        foreach (var tag in new[] { "even", "odd" })
        {
            using var input = Read($"{name}.{tag}_in.npy");                 // (B, L, D) as the reference
            using var expected = Read($"{name}.{tag}_out.npy");
            using var actual = rope.Apply(input.transpose(1, 2), (side, side));
            VimFixtureTests.AssertClose(expected.transpose(1, 2), actual, 1e-6);
            if (tag == "odd")                                                // the first token is kept as it is
                Assert.True(input.select(1, 0).eq(actual.select(2, 0)).all().item<bool>());
        }
    }

    [Fact]
    public void ClassificationWithTheMiddleClassTokenMatchesTheReference()
    {
        using var model = new VisionMamba(64, new VimOptions { Dense = false, Depth = 3, ImgSize = 64, NumClasses = 10, Rope = true, RopeResidual = true });
        var report = model.Load(Path.Combine(DataDir, "vim_d64_d3_cls_rope.pth"), strict: true);
        Assert.True(report.IsClean, report.ToString());
        Assert.Contains(report.Adapted, note => note.Contains("rope.freqs_cos") && note.Contains("rope.freqs_sin"));
        model.eval();
        using var input = Read("vim_d64_d3_cls_rope.input.npy");
        using var noGrad = no_grad();
        using var features = model.ForwardFeatures(input);
        using var logits = model.forward(input);
        using var expectedFeatures = Read("vim_d64_d3_cls_rope.features.npy");
        using var expectedLogits = Read("vim_d64_d3_cls_rope.logits.npy");
        VimFixtureTests.AssertClose(expectedFeatures, features);
        VimFixtureTests.AssertClose(expectedLogits, logits);

        // Without RoPE the same weights give another answer: the fixture does test the rotation.
        using var plain = new VisionMamba(64, new VimOptions { Dense = false, Depth = 3, ImgSize = 64, NumClasses = 10 });
        plain.Load(Path.Combine(DataDir, "vim_d64_d3_cls_rope.pth"), strict: true);
        plain.eval();
        using var plainLogits = plain.forward(input);
        Assert.False(plainLogits.allclose(expectedLogits, rtol: 1e-3, atol: 1e-3));
    }

    [Theory]
    [InlineData(FeatureSource.Residual, new[] { 0, 2 }, "residual")]
    [InlineData(FeatureSource.Mixer, new[] { 1, 2 }, "mixer")]
    public void SegmentationFeaturesMatchTheReference(FeatureSource source, int[] outIndices, string prefix)
    {
        using var model = new VisionMamba(64, new VimOptions
        {
            Depth = 3, ImgSize = 64, OutIndices = outIndices, FeatureSource = source, ClassToken = ClassTokenPlacement.None,
            Rope = true, RopeResidual = true,
        });
        var report = model.Load(Path.Combine(DataDir, "vim_d64_d3_seg_rope.pth"), strict: true);
        Assert.True(report.IsClean, report.ToString());
        model.eval();
        using var input = Read("vim_d64_d3_seg_rope.input.npy");
        using var noGrad = no_grad();
        var maps = model.ForwardIntermediates(input);
        for (var k = 0; k < outIndices.Length; k++)
        {
            using var expected = Read($"vim_d64_d3_seg_rope.{prefix}{outIndices[k]}.npy");
            VimFixtureTests.AssertClose(expected, maps[k]);
        }
        foreach (var map in maps) map.Dispose();
    }

    [Fact]
    public void DetectionFeatureMatchesTheReference()
    {
        using var model = new VisionMamba(64, new VimOptions
        {
            Depth = 3, ImgSize = 96, OutIndices = [2], FeatureSource = FeatureSource.Residual, ClassToken = ClassTokenPlacement.None, Rope = true,
        });
        var report = model.Load(Path.Combine(DataDir, "vim_d64_d3_det_rope.pth"), strict: true);
        Assert.True(report.IsClean, report.ToString());
        model.eval();
        using var input = Read("vim_d64_d3_det_rope.input.npy");
        using var expected = Read("vim_d64_d3_det_rope.last_feat.npy");
        using var noGrad = no_grad();
        var maps = model.ForwardIntermediates(input);
        VimFixtureTests.AssertClose(expected, maps[0]);
        maps[0].Dispose();
    }

    [Fact]
    public void SequencesWithoutATableAreOneLineErrors()
    {
        using var rope = new VisionRotaryEmbedding(64);
        using var tokens = zeros(1, 64, 18);                          // 16 patches + 2 class tokens: no table
        var error = Assert.Throws<UserInputException>(() => rope.Apply(tokens, (4, 4)));
        Assert.Contains("18 tokens", error.Message);
        Assert.Throws<UserInputException>(() => new VisionRotaryEmbedding(66));
        Assert.Throws<UserInputException>(() => new VisionMamba(64, new VimOptions { Depth = 1, ImgSize = 64, RopeResidual = true }));
    }

    [Fact]
    public void FeaturesCommandRopeFlagTurnsItOn()
    {
        const string name = "vim_tiny_s16_img64_seed11_d4";
        var dir = TestPaths.NewTempDir();
        var output = Path.Combine(dir, "rope.npy");
        var (code, _, stderr) = CliRunner.Run("features", "--model", "vim_tiny", "--checkpoint", TestPaths.Fixture("vim", name + ".pth"),
            "--input", TestPaths.Fixture("vim", name + ".input.npy"), "--output", output, "--rope");
        Assert.True(code == 0, stderr);
        using var model = (VisionMamba)BackboneFactory.Create("vim_tiny", new VimOptions { Dense = false, Depth = 4, ImgSize = 64, Rope = true, RopeResidual = true });
        model.Load(TestPaths.Fixture("vim", name + ".pth"), strict: true);
        model.eval();
        using var input = NpyFile.Read(TestPaths.Fixture("vim", name + ".input.npy"));
        using var noGrad = no_grad();
        using var expected = model.ForwardFeatures(input);
        using var actual = NpyFile.Read(output);
        VimFixtureTests.AssertClose(expected, actual, 1e-6);
        using var withoutRope = NpyFile.Read(TestPaths.Fixture("vim", name + ".features.npy"));
        Assert.False(actual.allclose(withoutRope, rtol: 1e-3, atol: 1e-3));
    }

    [Theory]
    [InlineData("ade20k/upernet_vim_small_512_60k.json", true)]
    [InlineData("coco/cascade_mask_rcnn_vim_tiny_1024_lsj.json", true)]
    [InlineData("ade20k/upernet_vim_tiny_512_60k.json", false)]
    [InlineData("demo/upernet_vim_tiny_synthetic.json", false)]
    public void ConfigsTurnRopeOnPerBackbone(string config, bool rope)
    {
        var loaded = ConfigLoader.Load(Path.Combine(TestPaths.RepoRoot, "configs", config));
        var options = Assert.IsType<VimOptions>(BackboneFactory.BindOptions(loaded.Model.Backbone));
        Assert.Equal(rope, options.Rope);
        Assert.Equal(rope, options.RopeResidual);
        Assert.Equal(14, options.PtHwSeqLen);
    }

    [Fact]
    public void OptionKeysBindByTheirSnakeCaseNames()
    {
        var backbone = new BackboneConfig
        {
            Type = "vim_small",
            Options = ConfigSection.Parse("model.backbone.options", """{ "rope": true, "rope_residual": true, "pt_hw_seq_len": 16 }"""),
        };
        var options = Assert.IsType<VimOptions>(BackboneFactory.BindOptions(backbone));
        Assert.True(options.Rope && options.RopeResidual);
        Assert.Equal(16, options.PtHwSeqLen);
    }
}

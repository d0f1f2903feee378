using VimDense.Backbones;
using VimDense.Layers;
using static TorchSharp.torch;

namespace VimDense.Tests.Backbones;

/// <summary>The reference initialisation of Vision Mamba, checked statistically.</summary>
public sealed class InitialisationTests
{
    [Fact]
    public void TruncatedNormalHasTheRequestedSpreadAndBounds()
    {
        manual_seed(1);
        using var t = TruncatedNormal.Fill(empty(200_000), 0.02);
        Assert.InRange(t.std().item<float>(), 0.0195, 0.0205);
        using var cut = TruncatedNormal.Fill(empty(100_000), 1.0, a: -1, b: 1);
        Assert.True(cut.abs().max().item<float>() <= 1f);
        Assert.InRange(cut.std().item<float>(), 0.52, 0.55);       // std of N(0,1) truncated to [-1, 1] is 0.538
    }

    [Fact]
    public void VimParametersFollowTheReferenceInitialisation()
    {
        manual_seed(2);
        using var model = (VisionMamba)BackboneFactory.Create("vim_tiny", new VimOptions { Dense = false, Depth = 24 });
        var p = model.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        Assert.InRange(p["pos_embed"].std().item<float>(), 0.018, 0.022);
        Assert.InRange(p["cls_token"].std().item<float>(), 0.012, 0.028);
        Assert.InRange(p["head.weight"].std().item<float>(), 0.019, 0.021);
        Assert.Equal(0f, p["head.bias"].abs().max().item<float>());
        // timm lecun_normal_: std sqrt(1/fan_in)/0.8796 with absolute cut-offs ±2, i.e. effectively untruncated.
        var lecun = 1 / Math.Sqrt(768) / .87962566103423978;
        Assert.InRange(p["patch_embed.proj.weight"].std().item<float>(), 0.97 * lecun, 1.03 * lecun);
        // A = -[1..16] per row; D = 1.
        using var expectedA = arange(1, 17, dtype: ScalarType.Float32).log();
        VimFixtureTests.AssertClose(expectedA.expand(384, 16), p["layers.3.mixer.A_b_log"], 1e-6);
        Assert.Equal(1f, p["layers.3.mixer.D"].min().item<float>());
        // dt = softplus(bias) is log-uniform in [1e-3, 0.1] forward; the backward bias is zeroed (upstream quirk).
        using var dt = nn.functional.softplus(p["layers.0.mixer.dt_proj.bias"]);
        Assert.True(dt.min().item<float>() >= 0.999e-3f && dt.max().item<float>() <= 0.1001f);
        Assert.Equal(0f, p["layers.0.mixer.dt_proj_b.bias"].abs().max().item<float>());
        // out_proj: kaiming-uniform (bound 1/sqrt(E)) divided by sqrt(24); the largest of 73,728 draws can round to the
        // float32 nearest the bound, a hair above it in double.
        var bound = 1 / Math.Sqrt(384) / Math.Sqrt(24);
        Assert.InRange(p["layers.0.mixer.out_proj.weight"].abs().max().item<float>(), 0.95 * bound, (double)(float)bound * (1 + 1e-7));
        Assert.Equal(1f, p["norm_f.weight"].min().item<float>());
    }
}

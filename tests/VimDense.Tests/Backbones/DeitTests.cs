using VimDense.Backbones;
using static TorchSharp.torch;

namespace VimDense.Tests.Backbones;

/// <summary>DeiT/ViT against a plain TorchSharp re-computation, and ViTDet windows.</summary>
public sealed class DeitTests
{
    [Theory]
    [InlineData(AttentionKind.Sdpa)]
    [InlineData(AttentionKind.Math)]
    public void ClassificationForwardMatchesAPlainAttentionReference(AttentionKind attention)
    {
        manual_seed(7);
        using var model = (VisionTransformer)BackboneFactory.Create("deit_tiny",
            new VitOptions { Dense = false, Depth = 2, ImgSize = 48, NumClasses = 10, Attention = attention });
        model.eval();
        using var noGrad = no_grad();
        using var images = randn(2, 3, 48, 48);
        using var actual = model.forward(images);
        using var expected = Reference(model.state_dict(), images, depth: 2, heads: 3);
        VimFixtureTests.AssertClose(expected, actual, 1e-5);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void DenseFeaturesBackpropagateToEveryParameter(int window)
    {
        manual_seed(3);
        var model = BackboneFactory.Create("deit_tiny", new VitOptions
        {
            Dense = true, Depth = 2, ImgSize = 32, ImgWidth = 48, WindowSize = window, GlobalBlocks = [1], OutIndices = [0, 1],
        });
        using var module = model.Module;
        module.train();
        using var images = randn(2, 3, 32, 48);
        var loss = model.ForwardIntermediates(images).Select(f => f.square().mean()).Aggregate((a, b) => a + b);
        loss.backward();
        foreach (var (name, parameter) in model.Module.named_parameters())
            if (!name.StartsWith("head.", StringComparison.Ordinal) && name != "cls_token")
                Assert.True(parameter.grad is { } g && g.abs().sum().item<float>() > 0, $"no gradient reached {name}");
    }

    [Fact]
    public void WindowAttentionWithAWindowCoveringTheGridIsGlobalAttention()
    {
        VitOptions Options(int window) => new()
        {
            Dense = true, Depth = 4, ImgSize = 64, ImgWidth = 80, WindowSize = window, GlobalBlocks = [3], OutIndices = [3],
        };
        manual_seed(9);
        using var global = (VisionTransformer)BackboneFactory.Create("deit_tiny", Options(0));
        using var covering = (VisionTransformer)BackboneFactory.Create("deit_tiny", Options(14));
        using var small = (VisionTransformer)BackboneFactory.Create("deit_tiny", Options(2));
        var weights = global.state_dict();
        covering.load_state_dict(weights);
        small.load_state_dict(weights);
        using var noGrad = no_grad();
        using var images = randn(1, 3, 64, 80);
        var expected = global.ForwardIntermediates(images)[0];
        Assert.Equal(new long[] { 1, 192, 4, 5 }, expected.shape);
        VimFixtureTests.AssertClose(expected, covering.ForwardIntermediates(images)[0], 1e-5);
        // 2x2 windows (with zero padding of the 5 columns to 6) really are local: the result differs.
        using var diff = (expected - small.ForwardIntermediates(images)[0]).abs().max();
        Assert.True(diff.item<float>() > 1e-3, $"window 2 vs global: max difference {diff.item<float>()}");
    }

    [Fact]
    public void TimmKeyNamesAndDefaultGlobalBlocks()
    {
        using var model = (VisionTransformer)BackboneFactory.Create("deit_tiny", new VitOptions { Dense = false });
        var names = model.named_parameters().Select(p => p.name).ToHashSet();
        foreach (var key in new[] { "cls_token", "pos_embed", "patch_embed.proj.weight", "blocks.11.attn.qkv.weight",
                     "blocks.0.norm1.weight", "blocks.3.mlp.fc1.weight", "blocks.3.attn.proj.bias", "norm.weight", "head.weight" })
            Assert.Contains(key, names);
        Assert.Equal(5_717_416, model.parameters().Sum(p => p.numel()));     // DeiT-Ti: 5.72M
        Assert.Equal(new[] { 2, 5, 8, 11 }, VisionTransformer.DefaultGlobalBlocks(12));
    }

    /// <summary>ViT forward written out with explicit per-head loops.</summary>
    private static Tensor Reference(Dictionary<string, Tensor> w, Tensor images, int depth, int heads)
    {
        var x = nn.functional.conv2d(images, w["patch_embed.proj.weight"], w["patch_embed.proj.bias"], strides: [16, 16]).flatten(2).transpose(1, 2);
        x = cat([w["cls_token"].expand(x.shape[0], -1, -1), x], 1) + w["pos_embed"];
        Tensor Norm(Tensor t, string name) => nn.functional.layer_norm(t, [t.shape[2]], w[name + ".weight"], w[name + ".bias"], 1e-6);
        Tensor Linear(Tensor t, string name) => nn.functional.linear(t, w[name + ".weight"], w[name + ".bias"]);
        for (var i = 0; i < depth; i++)
        {
            var p = $"blocks.{i}.";
            var qkv = Linear(Norm(x, p + "norm1"), p + "attn.qkv");
            var dim = x.shape[2];
            var hd = dim / heads;
            var outputs = new List<Tensor>();
            for (var h = 0; h < heads; h++)
            {
                var q = qkv.narrow(2, h * hd, hd);
                var k = qkv.narrow(2, dim + h * hd, hd);
                var v = qkv.narrow(2, 2 * dim + h * hd, hd);
                outputs.Add(matmul(softmax(matmul(q, k.transpose(1, 2)) / Math.Sqrt(hd), -1), v));
            }
            x = x + Linear(cat(outputs, 2), p + "attn.proj");
            x = x + Linear(nn.functional.gelu(Linear(Norm(x, p + "norm2"), p + "mlp.fc1")), p + "mlp.fc2");
        }
        return Linear(Norm(x, "norm").select(1, 0), "head");
    }
}

/// <summary>DeiT checkpoints at another resolution.</summary>
public sealed class DeitCheckpointTests
{
    [Fact]
    public void A224ClassificationCheckpointLoadsIntoDenseModeAtANonSquareSize()
    {
        manual_seed(12);
        using var classifier = (VisionTransformer)BackboneFactory.Create("deit_tiny", new VitOptions { Dense = false, Depth = 2 });
        var path = Path.Combine(TestPaths.NewTempDir(), "deit.safetensors");
        var stateDict = classifier.state_dict().ToDictionary(kv => "module." + kv.Key, kv => kv.Value);
        VimDense.Checkpoints.SafeTensors.Save(path, stateDict);
        using var dense = (VisionTransformer)BackboneFactory.Create("deit_tiny", new VitOptions
        {
            Dense = true, Depth = 2, ImgSize = 256, ImgWidth = 320, OutIndices = [1], WindowSize = 14, GlobalBlocks = [1],
        });
        var report = dense.Load(path, strict: false);
        Assert.Empty(report.Missing);
        Assert.Empty(report.ShapeMismatched);
        Assert.Contains(report.Adapted, note => note.Contains("14x14 -> 16x20"));
        using var grid = stateDict["module.pos_embed"].narrow(1, 1, 196).reshape(1, 14, 14, 192).permute(0, 3, 1, 2);
        using var direct = nn.functional.interpolate(grid, size: [16, 20], mode: InterpolationMode.Bicubic, align_corners: false)
            .permute(0, 2, 3, 1).reshape(1, -1, 192);
        VimFixtureTests.AssertClose(direct, dense.get_parameter("pos_embed")!.detach(), 1e-6);
        using var noGrad = no_grad();
        using var images = randn(1, 3, 256, 320);
        Assert.Equal(new long[] { 1, 192, 16, 20 }, dense.ForwardIntermediates(images)[0].shape);
    }
}

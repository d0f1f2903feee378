using TorchSharp;
using TorchSharp.Modules;
using VimDense.Analysis;
using VimDense.Backbones;
using static TorchSharp.torch;

namespace VimDense.Tests.Analysis;

/// <summary>
/// Per-module parameter and multiply-add counts from a real forward: exact small cases, the full Vim-Ti and DeiT-Ti
/// classifiers at 224 against the counts derived from their widths (and DeiT-Ti against fvcore's published 1.26 G).
/// </summary>
public class ModelComplexityTests
{
    /// <summary>A conv, a norm and a linear on a 3×16×16 input; an unused child that must be reported idle.</summary>
    private sealed class Small : nn.Module<Tensor, Tensor>
    {
        private readonly Conv2d conv = nn.Conv2d(3, 8, 3, padding: 1);
        private readonly BatchNorm2d bn = nn.BatchNorm2d(8);
        private readonly ConvTranspose2d up = nn.ConvTranspose2d(8, 4, 2, stride: 2);
        private readonly Linear fc = nn.Linear(4, 5);
        private readonly Linear unused = nn.Linear(7, 7);

        public Small() : base(nameof(Small)) => RegisterComponents();

        public override Tensor forward(Tensor x)
        {
            var y = up.call(bn.call(conv.call(x)));                // (1, 4, 32, 32)
            return fc.call(y.permute(0, 2, 3, 1));                 // (1, 32, 32, 5)
        }
    }

    private static ComplexityReport Count(nn.Module<Tensor, Tensor> model, Tensor input, bool norms = false)
    {
        model.eval();
        return ModelComplexity.Measure(model, () => model.call(input).Dispose(), FlopRules.Standard(norms), "test");
    }

    [Fact]
    public void SmallModelCountsEachLayerByItsRule()
    {
        using var model = new Small();
        using var input = randn(1, 3, 16, 16);
        var report = Count(model, input);
        double conv = 8 * 16 * 16 * (3 * 3 * 3), up = 8 * 16 * 16 * (4 * 2 * 2), fc = 32 * 32 * 5 * 4;
        Assert.Equal(conv, Row(report, "conv").Flops);
        Assert.Equal(up, Row(report, "up").Flops);
        Assert.Equal(fc, Row(report, "fc").Flops);
        Assert.Equal(0, Row(report, "bn").Flops);
        Assert.Equal(conv + up + fc, report.Flops);
        Assert.Equal(model.parameters().Sum(p => p.numel()), report.Parameters);
        Assert.Equal(8 * 3 * 9 + 8, Row(report, "conv").Parameters);
        Assert.Equal(["unused"], report.Idle);
        Assert.Equal(1, Row(report, "fc").Calls);

        var withNorms = Count(model, input, norms: true);
        Assert.Equal(2.0 * 8 * 16 * 16, Row(withNorms, "bn").Flops);          // inference BatchNorm: scale and shift
        Assert.Contains("norms fvcore-style", withNorms.Convention);
    }

    [Fact]
    public void VimTinyAt224CountsProjectionsConvAndScanOfBothDirections()
    {
        using var model = (VisionMamba)BackboneFactory.Create("vim_tiny", new VimOptions { Dense = false });
        using var input = randn(1, 3, 224, 224);
        var report = Count(model, input);

        // Vim-Ti: D 192, E 384, N 16, dt rank 12, conv width 4, 24 blocks, 197 tokens (196 patches + the middle class token).
        const double L = 197, D = 192, E = 384, N = 16, R = 12, K = 4;
        var direction = L * E * K + L * E * (R + 2 * N) + L * R * E + L * E * (4 * N + 3);
        var block = L * D * 2 * E + 2 * direction + L * E * D;
        var expected = 196 * D * (3 * 16 * 16) + 24 * block + D * 1000;
        Assert.Equal(7_148_008, report.Parameters);                  // the reference model's count (vim_t_midclstok)
        Assert.Equal(expected, report.Flops);
        Assert.Equal(1.536, Math.Round(report.Flops / 1e9, 3));
        Assert.Equal(L * D * 2 * E, Row(report, "layers.0.mixer.in_proj").Flops);
        Assert.Equal(2 * L * E * (4 * N + 3) + 2 * (L * E * K + L * E * (R + 2 * N) + L * R * E) + L * D * 2 * E + L * E * D, Row(report, "layers.0.mixer").Flops);
        Assert.Empty(report.Idle);
        Assert.Contains("selective scan as 4 per token, channel and state", report.Convention);
    }

    [Fact]
    public void DeitTinyAt224MatchesItsWidthsAndFvcoresPublishedCount()
    {
        using var model = (VisionTransformer)BackboneFactory.Create("deit_tiny", new VitOptions { Dense = false });
        using var input = randn(1, 3, 224, 224);
        var report = Count(model, input);
        const double L = 197, D = 192;
        var block = L * D * 3 * D + 2 * L * L * D + L * D * D + 2 * L * D * 4 * D;
        Assert.Equal(196 * D * 768 + 12 * block + D * 1000, report.Flops);
        Assert.Equal(1.254, Math.Round(report.Flops / 1e9, 3));
        // fvcore (which counts LayerNorm at 5 per element) reports 1.26 G for DeiT-Ti.
        Assert.Equal(1.26, Math.Round(Count(model, input, norms: true).Flops / 1e9, 2));
    }

    [Fact]
    public void AttentionCostsTheSameWithSdpaAndExplicitMatmuls()
    {
        using var input = randn(1, 3, 64, 64);
        var counts = new[] { AttentionKind.Sdpa, AttentionKind.Math }.Select(kind =>
        {
            using var model = (VisionTransformer)BackboneFactory.Create("deit_tiny", new VitOptions { Dense = false, Depth = 1, ImgSize = 64, Attention = kind });
            return Count(model, input).Flops;
        }).ToList();
        Assert.Equal(counts[0], counts[1]);
        Assert.True(counts[0] > 0);
    }

    private static ComplexityRow Row(ComplexityReport report, string name) => report.Rows.Single(r => r.Name == name);
}

using TorchSharp;
using VimDense.Heads.Necks;
using VimDense.Heads.Segmentation;
using static TorchSharp.torch;

namespace VimDense.Tests.Segmentation;

public class HeadShapeTests
{
    private static List<Tensor> Pyramid(int channels = 8) =>
        [randn(2, channels, 16, 16), randn(2, channels, 8, 8), randn(2, channels, 4, 4), randn(2, channels, 2, 2)];

    private static void AssertAllParametersGetGradients(nn.Module module, Tensor output)
    {
        // A random projection: a plain square-mean would be constant through LayerNorm-ed outputs (mask norm).
        (output * randn_like(output)).sum().backward();
        foreach (var (name, p) in module.named_parameters())
        {
            Assert.True(p.grad is not null, $"{name} has no gradient");
            Assert.True(p.grad!.abs().sum().item<float>() > 0, $"{name} has a zero gradient");
        }
    }

    [Fact]
    public void UperHeadGivesLogitsAtTheFinestStrideAndGradientsEverywhere()
    {
        manual_seed(0);
        var head = new UperHead([8, 8, 8, 8], 5, new UperHeadOptions { Channels = 16 });
        head.train();
        var logits = head.forward(Pyramid());
        Assert.Equal(new long[] { 2, 5, 16, 16 }, logits.shape);
        AssertAllParametersGetGradients(head, logits);
    }

    [Fact]
    public void FcnHeadUsesItsInputIndex()
    {
        var head = new FcnHead(8, 5, new FcnHeadOptions { Channels = 16, InIndex = 2, ConcatInput = true });
        var logits = head.forward(Pyramid());
        Assert.Equal(new long[] { 2, 5, 4, 4 }, logits.shape);
        AssertAllParametersGetGradients(head, logits);
    }

    [Fact]
    public void SegmenterHeadGivesLogitsAtTheLastMapsResolution()
    {
        manual_seed(0);
        var head = new SegmenterMaskHead(8, 5, new SegmenterHeadOptions { EmbedDims = 12, NumHeads = 3 });
        var logits = head.forward(Pyramid());
        Assert.Equal(new long[] { 2, 5, 2, 2 }, logits.shape);
        // mask_norm: a LayerNorm over classes, so per pixel the class logits have mean ~0 at initialisation.
        Assert.True(logits.mean(new long[] { 1 }).abs().max().item<float>() < 1e-4);
        AssertAllParametersGetGradients(head, logits);
    }

    [Fact]
    public void SemanticFpnHeadSumsLevelsAtTheFinestStride()
    {
        var head = new SemanticFpnHead([8, 8, 8, 8], [4, 8, 16, 32], 5, new SemanticFpnHeadOptions { Channels = 16 });
        var logits = head.forward(Pyramid());
        Assert.Equal(new long[] { 2, 5, 16, 16 }, logits.shape);
        AssertAllParametersGetGradients(head, logits);
    }

    [Fact]
    public void Feature2PyramidMakesStrides4To32FromOneStride16Map()
    {
        var neck = new Feature2Pyramid(8, 16);
        var x = randn(2, 8, 8, 8);
        var outs = neck.forward([x, x, x, x]);
        Assert.Equal([4, 8, 16, 32], neck.OutStrides);
        Assert.Equal(new long[] { 32, 16, 8, 4 }, outs.Select(o => o.shape[2]).ToArray());
        Assert.True(outs[2].eq(x).all().item<bool>(), "rescale 1 is the identity");
        Assert.True(outs[3].eq(nn.functional.max_pool2d(x, 2, 2)).all().item<bool>(), "rescale 0.5 is max-pooling");
        AssertAllParametersGetGradients(neck, cat(outs.Select(o => o.flatten()).ToList()));
    }

    [Fact]
    public void MultiLevelNeckInterpolatesToFourScales()
    {
        var neck = new MultiLevelNeck([8], 16, new MultiLevelNeckOptions { OutChannels = 6 });
        var outs = neck.forward([randn(2, 8, 8, 8)]);
        Assert.Equal(new long[] { 32, 16, 8, 4 }, outs.Select(o => o.shape[2]).ToArray());
        Assert.All(outs, o => Assert.Equal(6, o.shape[1]));
        AssertAllParametersGetGradients(neck, cat(outs.Select(o => o.flatten()).ToList()));
    }

    [Fact]
    public void FpnKeepsResolutionsAndUnifiesChannels()
    {
        var neck = new Fpn([4, 8, 16, 32], [4, 8, 16, 32], 12);
        var outs = neck.forward([randn(1, 4, 16, 16), randn(1, 8, 8, 8), randn(1, 16, 4, 4), randn(1, 32, 2, 2)]);
        Assert.Equal(new long[] { 16, 8, 4, 2 }, outs.Select(o => o.shape[2]).ToArray());
        Assert.All(outs, o => Assert.Equal(12, o.shape[1]));
        AssertAllParametersGetGradients(neck, cat(outs.Select(o => o.flatten()).ToList()));
    }
}

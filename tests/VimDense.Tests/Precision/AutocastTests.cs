using TorchSharp;
using VimDense.Backbones;
using VimDense.Heads.Segmentation;
using VimDense.Layers;
using VimDense.Ops;
using static TorchSharp.torch;

namespace VimDense.Tests.Precision;

/// <summary>What the autocast policy lowers (linear, conv, matmul, the scan's inputs) and what it keeps in float32 (norms, losses, weights).</summary>
public class AutocastTests
{
    [Fact]
    public void OutsideAScopeLayersAreExactlyTheirOwnForward()
    {
        manual_seed(1);
        var linear = nn.Linear(8, 4);
        var x = randn(3, 8);
        Assert.Null(Autocast.Active);
        using var expected = linear.forward(x);
        using var got = Autocast.Linear(linear, x);
        Assert.Equal(ScalarType.Float32, got.dtype);
        Assert.True(got.eq(expected).all().item<bool>());
    }

    [Theory]
    [InlineData(ScalarType.BFloat16)]
    [InlineData(ScalarType.Float16)]
    public void LinearConvAndMatmulComputeInTheLowTypeAndGradientsReachFloat32Weights(ScalarType low)
    {
        manual_seed(2);
        var linear = nn.Linear(8, 4);
        var conv = nn.Conv2d(3, 5, 3, stride: 2, padding: 1);
        var deconv = nn.ConvTranspose2d(5, 2, 2, stride: 2);
        var x = randn(2, 8);
        var image = randn(1, 3, 8, 8);
        Tensor y, map, up, product;
        using (Autocast.Enter(low))
        {
            Assert.Equal(low, Autocast.Active);
            y = Autocast.Linear(linear, x);
            map = Autocast.Conv2d(conv, image);
            up = Autocast.ConvTranspose2d(deconv, map);
            product = Autocast.MatMul(x, x.t());
        }
        Assert.Null(Autocast.Active);
        Assert.All(new[] { y, map, up, product }, t => Assert.Equal(low, t.dtype));
        // Same shapes and values as float32, to the low type's precision.
        Assert.True(y.to_type(ScalarType.Float32).allclose(linear.forward(x), rtol: 0.02, atol: 0.02));
        Assert.Equal(conv.forward(image).shape, map.shape);
        Assert.True(map.to_type(ScalarType.Float32).allclose(conv.forward(image), rtol: 0.02, atol: 0.03));
        Assert.Equal(deconv.forward(conv.forward(image)).shape, up.shape);
        (y.to_type(ScalarType.Float32).sum() + up.to_type(ScalarType.Float32).sum()).backward();
        Assert.Equal(ScalarType.Float32, linear.weight!.dtype);
        Assert.Equal(ScalarType.Float32, linear.weight!.grad!.dtype);
        Assert.Equal(ScalarType.Float32, conv.weight!.grad!.dtype);
        Assert.Equal(ScalarType.Float32, deconv.bias!.grad!.dtype);
    }

    [Fact]
    public void NormsAndLossesGetFloat32InsideAScope()
    {
        manual_seed(3);
        var block = nn.Sequential(("0", nn.Conv2d(3, 4, 1)), ("1", nn.BatchNorm2d(4)));
        var loss = new SegmentationLoss();
        var labels = randint(0, 4, [1, 6, 6]).to(int64);
        using (Autocast.Enter(ScalarType.BFloat16))
        {
            var image = randn(1, 3, 6, 6);
            using var normed = Autocast.Forward(block, image);
            Assert.Equal(ScalarType.Float32, normed.dtype); // the conv ran in bf16, the BatchNorm in float32
            using var logits = Autocast.Conv2d((TorchSharp.Modules.Conv2d)block.children().First(), image);
            Assert.Equal(ScalarType.BFloat16, logits.dtype);
            using var value = loss.Compute(logits, labels);
            Assert.Equal(ScalarType.Float32, value.dtype);
            var module = new ConvModule(3, 4, 3);
            using var convOut = module.forward(image);
            Assert.Equal(ScalarType.Float32, convOut.dtype); // conv in bf16, then BN and ReLU in float32
        }
    }

    [Fact]
    public void ScopesNestAndRestore()
    {
        using (Autocast.Enter(ScalarType.BFloat16))
        {
            using (Autocast.Enter(ScalarType.Float32)) Assert.Null(Autocast.Active);
            Assert.Equal(ScalarType.BFloat16, Autocast.Active);
        }
        Assert.Null(Autocast.Active);
        Assert.Throws<ArgumentException>(() => Autocast.Enter(ScalarType.Int32));
    }

    [Fact]
    public void VimMixerRunsTheScanOnBf16InputsWithFloat32ParametersAndGradients()
    {
        manual_seed(4);
        var mixer = new BiMambaMixer(16);
        var tokens = randn(2, 16, 10);
        using var expected = mixer.forward(tokens);
        Tensor got;
        using (Autocast.Enter(ScalarType.BFloat16)) got = mixer.forward(tokens);
        Assert.Equal(ScalarType.BFloat16, got.dtype);
        var scale = expected.abs().max().item<float>();
        Assert.True((got.to_type(ScalarType.Float32) - expected).abs().max().item<float>() < 0.05 * scale,
            "bf16 mixer output is far from the float32 one");
        got.to_type(ScalarType.Float32).square().sum().backward();
        foreach (var (name, p) in mixer.named_parameters())
        {
            Assert.Equal(ScalarType.Float32, p.dtype);
            Assert.True(p.grad is { } g && g.dtype == ScalarType.Float32 && isfinite(g).all().item<bool>(), $"{name}: no finite float32 gradient");
        }
    }

    [Fact]
    public void CpuScanAndConvAcceptBf16WithGradientsInTheInputsDType()
    {
        manual_seed(5);
        var u = randn(1, 4, 6).to_type(ScalarType.BFloat16).requires_grad_();
        var delta = rand(1, 4, 6).to_type(ScalarType.BFloat16).requires_grad_();
        var a = (-rand(4, 3)).requires_grad_();
        var b = randn(1, 3, 6).to_type(ScalarType.BFloat16).requires_grad_();
        var c = randn(1, 3, 6).to_type(ScalarType.BFloat16).requires_grad_();
        var weight = randn(4, 4).requires_grad_();
        using var conv = CausalConv1d.Apply(u, weight);
        using var y = SelectiveScan.Apply(conv, delta, a, b, c);
        Assert.Equal(ScalarType.BFloat16, conv.dtype);
        Assert.Equal(ScalarType.BFloat16, y.dtype);
        using var reference = SelectiveScan.Apply(conv.to_type(ScalarType.Float32).detach(), delta.to_type(ScalarType.Float32).detach(),
            a.detach(), b.to_type(ScalarType.Float32).detach(), c.to_type(ScalarType.Float32).detach());
        Assert.True(y.to_type(ScalarType.Float32).allclose(reference, rtol: 0.02, atol: 0.02));
        y.to_type(ScalarType.Float32).sum().backward();
        Assert.Equal(ScalarType.BFloat16, u.grad!.dtype);
        Assert.Equal(ScalarType.BFloat16, delta.grad!.dtype);
        Assert.Equal(ScalarType.BFloat16, b.grad!.dtype);
        Assert.Equal(ScalarType.Float32, a.grad!.dtype);
        Assert.Equal(ScalarType.Float32, weight.grad!.dtype);
    }
}

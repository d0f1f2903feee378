using VimDense.Layers;
using static TorchSharp.torch;

namespace VimDense.Tests.Backbones;

/// <summary>Non-overlapping patch embedding under autocast runs as one GEMM: the convolution's values, shape and gradients.</summary>
public sealed class PatchEmbedAutocastTests
{
    [Theory]
    [InlineData(48, 64)]
    [InlineData(40, 36)]   // sides not divisible by the patch: the remainder is dropped, as by the convolution
    public void MatchesTheConvolutionOnTheSameLowPrecisionOperands(int height, int width)
    {
        manual_seed(5);
        using var embed = new PatchEmbed(3, 24, 16, 16, 0);
        using var images = randn(2, 3, height, width);
        using var lowImages = images.to_type(ScalarType.BFloat16).to_type(ScalarType.Float32);
        using var lowWeight = embed.Proj.weight!.detach().to_type(ScalarType.BFloat16).to_type(ScalarType.Float32);
        using var lowBias = embed.Proj.bias!.detach().to_type(ScalarType.BFloat16).to_type(ScalarType.Float32);
        // The reference: the convolution in float32 on the operands autocast rounds to bf16.
        using var expected = nn.functional.conv2d(lowImages, lowWeight, lowBias, strides: [16, 16]);

        Tensor actual;
        using (Autocast.Enter(ScalarType.BFloat16)) actual = embed.call(images);
        using (actual)
        {
            Assert.Equal(ScalarType.BFloat16, actual.dtype);
            Assert.Equal(expected.shape, actual.shape);
            Assert.True(actual.is_contiguous());
            using var difference = actual.to_type(ScalarType.Float32).sub(expected).abs();
            using var allowed = expected.abs().mul(1.0 / 128).add(1e-3);   // one bf16 rounding of the output, plus sum order
            Assert.True(difference.le(allowed).all().item<bool>(), $"max |diff| {difference.max().item<float>()}");
            actual.to_type(ScalarType.Float32).sum().backward();
        }
        Assert.NotNull(embed.Proj.weight!.grad);
        Assert.Equal(ScalarType.Float32, embed.Proj.weight!.grad!.dtype);   // the float32 master weight gets the gradient
        Assert.True(embed.Proj.weight!.grad!.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void Float32AndOverlappingPatchesKeepTheConvolution()
    {
        manual_seed(6);
        using var embed = new PatchEmbed(3, 8, 16, 16, 0);
        using var images = randn(1, 3, 32, 32);
        using var noGrad = no_grad();
        using var conv = embed.Proj.call(images);
        using var plain = embed.call(images);
        Assert.True(plain.eq(conv).all().item<bool>());   // fp32: bit-identical to the convolution

        using var overlapping = new PatchEmbed(3, 8, 16, 8, 4);
        using var expected = overlapping.Proj.call(images);
        Tensor lowered;
        using (Autocast.Enter(ScalarType.BFloat16)) lowered = overlapping.call(images);
        using (lowered) Assert.Equal(expected.shape, lowered.shape);
    }
}

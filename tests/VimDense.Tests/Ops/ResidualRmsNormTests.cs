using VimDense.Layers;
using VimDense.Ops;
using static TorchSharp.torch;

namespace VimDense.Tests.Ops;

/// <summary>The fused inference add + RMSNorm against the library ops it replaces (residual add, then RMSNorm).</summary>
public sealed class ResidualRmsNormTests
{
    [Theory]
    [InlineData(1, 192, 197, true)]
    [InlineData(2, 24, 37, true)]
    [InlineData(1, 7, 5, false)]
    public void MatchesTheUnfusedAddAndNormWithinFloatRounding(int batch, int channels, int length, bool withResidual)
    {
        manual_seed(11);
        using var norm = new RMSNorm(channels, 1e-5, channelDim: 1);
        using var noGrad = no_grad();
        norm.Weight.copy_(rand(channels).add_(0.5));
        using var hidden = randn(batch, channels, length).mul_(3);
        using var residual = withResidual ? randn(batch, channels, length) : null;
        using var expectedSum = residual is null ? hidden.clone() : residual.add(hidden);
        using var expected = norm.forward(expectedSum);

        Assert.True(ResidualRmsNorm.Applies(hidden, residual, norm.Weight));
        var (sum, normalised) = ResidualRmsNorm.Apply(hidden, residual, norm.Weight, norm.Eps);
        using (sum)
        using (normalised)
        {
            Assert.True(sum.eq(expectedSum).all().item<bool>());
            Assert.True(normalised.allclose(expected, rtol: 2e-6, atol: 1e-6),
                $"max |diff| {normalised.sub(expected).abs().max().item<float>()}");
            if (residual is null) Assert.NotEqual(hidden.Handle, sum.Handle);
        }
    }

    [Theory]
    [InlineData(ScalarType.BFloat16, true)]
    [InlineData(ScalarType.Float16, true)]
    [InlineData(ScalarType.BFloat16, false)]
    public void TakesLowPrecisionHiddenAndWritesTheLowTypeAsTheLibraryCastWould(ScalarType low, bool withResidual)
    {
        manual_seed(12);
        const int batch = 2, channels = 48, length = 29;
        using var norm = new RMSNorm(channels, 1e-5, channelDim: 1);
        using var noGrad = no_grad();
        norm.Weight.copy_(rand(channels).add_(0.5));
        using var hidden = randn(batch, channels, length).mul_(3).to_type(low);
        using var residual = withResidual ? randn(batch, channels, length) : null;
        // The library path of the block under autocast: the float32 sum, RMSNorm in float32, then in_proj's cast.
        using var expectedSum = residual is null ? hidden.to_type(ScalarType.Float32) : residual.add(hidden);
        using var expected = norm.forward(expectedSum).to_type(low);

        Assert.True(ResidualRmsNorm.Applies(hidden, residual, norm.Weight));
        var (sum, normalised) = ResidualRmsNorm.Apply(hidden, residual, norm.Weight, norm.Eps, low);
        using (sum)
        using (normalised)
        {
            Assert.Equal(ScalarType.Float32, sum.dtype);
            Assert.Equal(low, normalised.dtype);
            Assert.True(sum.eq(expectedSum).all().item<bool>());
            // Same float32 value to rounding, then one round-to-nearest: at most one unit in the last place apart.
            using var ulp = expected.to_type(ScalarType.Float32).abs().mul(low == ScalarType.BFloat16 ? 1.0 / 128 : 1.0 / 1024);
            using var difference = normalised.to_type(ScalarType.Float32).sub(expected.to_type(ScalarType.Float32)).abs();
            Assert.True(difference.le(ulp.add(1e-6)).all().item<bool>(), $"max |diff| {difference.max().item<float>()}");
            Assert.True(normalised.eq(expected).to_type(ScalarType.Float32).mean().item<float>() > 0.99f, "almost all elements round identically");
        }
    }

    [Fact]
    public void StepsAsideWhenAutogradMustRecordOrTheInputIsNotADenseFloatStream()
    {
        using var weight = ones(4);
        using var hidden = randn(1, 4, 6);
        using var tracked = randn(1, 4, 6).requires_grad_(true);
        using var strided = randn(1, 6, 4).transpose(1, 2);
        using var doubles = randn(1, 4, 6, dtype: ScalarType.Float64);
        using var lowResidual = randn(1, 4, 6, dtype: ScalarType.BFloat16);
        Assert.False(ResidualRmsNorm.Applies(tracked, hidden, weight));
        Assert.False(ResidualRmsNorm.Applies(hidden, lowResidual, weight)); // the residual stream stays float32
        Assert.False(ResidualRmsNorm.Applies(strided, null, weight));
        Assert.False(ResidualRmsNorm.Applies(doubles, null, weight));
        Assert.True(ResidualRmsNorm.Applies(hidden, null, weight));
        using (no_grad()) Assert.True(ResidualRmsNorm.Applies(tracked, hidden, weight));
    }
}

using TorchSharp;
using VimDense.Heads.Necks;
using VimDense.Layers;
using static TorchSharp.torch;

namespace VimDense.Tests.Detection;

/// <summary>SimpleFeaturePyramid shapes and parameter names; LayerNorm2d against torch's layer_norm.</summary>
public class SimpleFeaturePyramidTests
{
    [Fact]
    public void LayerNorm2dNormalisesOverChannelsPerPixel()
    {
        var norm = new LayerNorm2d(6);
        using (no_grad())
        {
            norm.Weight.copy_(arange(1, 7, dtype: ScalarType.Float32));
            norm.Bias.copy_(arange(0, 6, dtype: ScalarType.Float32) * 0.1);
        }
        var x = randn(2, 6, 5, 4);
        var expected = nn.functional.layer_norm(x.permute(0, 2, 3, 1), [6], norm.Weight, norm.Bias, 1e-6).permute(0, 3, 1, 2);
        Assert.True(allclose(norm.forward(x), expected, rtol: 1e-5, atol: 1e-5));
        Assert.Equal(["weight", "bias"], norm.named_parameters().Select(p => p.name));
    }

    [Fact]
    public void ProducesFivePyramidLevelsFromOneStride16Map()
    {
        var neck = new SimpleFeaturePyramid([32], [16], outChannels: 24);
        Assert.Equal([4, 8, 16, 32, 64], neck.OutStrides);
        Assert.Equal([24, 24, 24, 24, 24], neck.OutChannels);
        var outputs = neck.forward([randn(2, 32, 8, 6)]);
        var expected = new[] { (32L, 24L), (16L, 12L), (8L, 6L), (4L, 3L), (2L, 2L) };
        Assert.Equal(5, outputs.Count);
        for (var i = 0; i < 5; i++) Assert.Equal([2L, 24, expected[i].Item1, expected[i].Item2], outputs[i].shape);
    }

    [Fact]
    public void ParameterNamesFollowDetectron2()
    {
        var names = new SimpleFeaturePyramid([32], [16], outChannels: 24).named_parameters().Select(p => p.name).ToHashSet();
        foreach (var name in new[]
                 {
                     "simfp_2.0.weight", "simfp_2.0.bias", "simfp_2.1.weight", "simfp_2.3.weight", "simfp_2.4.weight",
                     "simfp_2.4.norm.weight", "simfp_2.5.norm.bias", "simfp_3.0.weight", "simfp_3.1.weight",
                     "simfp_4.0.weight", "simfp_4.1.norm.weight", "simfp_5.1.weight", "simfp_5.2.norm.bias",
                 })
            Assert.Contains(name, names);
        Assert.DoesNotContain("simfp_2.4.bias", names);
    }
}

using VimDense.Backbones;
using static TorchSharp.torch;

namespace VimDense.Tests.Backbones;

/// <summary>
/// The residual feature of a block k below the last in training (hustvl/Vim seg, use_residual_as_feature): the
/// stream as block k+1 takes it in, residual_k + drop_path(hidden_k), not the undropped sum.
/// </summary>
public sealed class VimResidualFeatureTests
{
    [Fact]
    public void IntermediateResidualFeatureCarriesTheNextBlocksDropPath()
    {
        // depth 3, drop_path_rate 0.9: rates linspace(0, 0.9, 3) = 0, 0.45, 0.9; block 2 drops block 1's output
        // with 0.45. Blocks 0 and 1 draw nothing, so hidden_1 and residual_1 are those of evaluation mode.
        const double rate = 0.45;
        var options = new VimOptions { Depth = 3, ImgSize = 32, OutIndices = [1, 2], FeatureSource = FeatureSource.Residual, DropPathRate = 0.9 };
        using var model = new VisionMamba(64, options);
        using var mixerModel = new VisionMamba(64, options with { FeatureSource = FeatureSource.Mixer });
        mixerModel.load_state_dict(model.state_dict());
        manual_seed(5);
        using var images = randn(8, 3, 32, 32);

        Tensor sum, hidden;
        using (no_grad())
        {
            model.eval();
            mixerModel.eval();
            sum = model.ForwardIntermediates(images)[0];               // residual_1 + hidden_1
            hidden = mixerModel.ForwardIntermediates(images)[0];       // hidden_1
        }
        using var residual = sum - hidden;
        model.train();
        manual_seed(17);
        Tensor trained;
        using (no_grad()) trained = model.ForwardIntermediates(images)[0];

        // Hand-written reference, per sample: dropped -> residual_1; kept -> residual_1 + hidden_1 / (1 - rate).
        using var kept = residual + hidden / (1 - rate);
        int dropped = 0, keptCount = 0;
        for (var b = 0; b < 8; b++)
        {
            using var actual = trained[b];
            if (actual.allclose(residual[b], rtol: 1e-5, atol: 1e-5)) dropped++;
            else if (actual.allclose(kept[b], rtol: 1e-5, atol: 1e-5)) keptCount++;
            else Assert.Fail($"sample {b}: neither residual_1 nor residual_1 + hidden_1 / (1 - p)");
        }
        Assert.True(dropped > 0 && keptCount > 0, $"seed gives {dropped} dropped and {keptCount} kept samples: both cases must be exercised");
        foreach (var t in new[] { sum, hidden, trained }) t.Dispose();
    }

    [Fact]
    public void LastBlockResidualFeatureIsTheUndroppedSumInEvaluation()
    {
        var options = new VimOptions { Depth = 2, ImgSize = 32, OutIndices = [1], FeatureSource = FeatureSource.Residual };
        using var model = new VisionMamba(64, options);
        model.eval();
        manual_seed(3);
        using var images = randn(2, 3, 32, 32);
        using var noGrad = no_grad();
        using var feature = model.ForwardIntermediates(images)[0];
        Assert.Equal([2, 64, 2, 2], feature.shape);
    }
}

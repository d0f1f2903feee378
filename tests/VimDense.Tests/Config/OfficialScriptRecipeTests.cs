using VimDense.Config;

namespace VimDense.Tests.Config;

/// <summary>
/// The ADE20K Vim configs use the hyperparameters of hustvl/Vim's training scripts, which override the .py configs
/// (1e-4 / 0.05 / 0.92): <c>seg/scripts/ft_vim_tiny_upernet.sh</c> passes <c>optimizer.lr=2e-4
/// optimizer.weight_decay=0.1</c>; <c>ft_vim_small_upernet.sh</c> passes <c>optimizer.lr=1e-4
/// optimizer.paramwise_cfg.layer_decay_rate=0.95</c> (weight decay stays 0.05). Configs without an official script
/// (DeiT baselines, the Segmenter ablation) keep the .py values.
/// </summary>
public class OfficialScriptRecipeTests
{
    [Theory]
    [InlineData("upernet_vim_tiny_512_60k.json", 2e-4, 0.1, 0.92)]
    [InlineData("upernet_vim_small_512_60k.json", 1e-4, 0.05, 0.95)]
    [InlineData("upernet_deit_tiny_512_60k.json", 1e-4, 0.05, 0.92)]
    [InlineData("upernet_deit_small_512_60k.json", 1e-4, 0.05, 0.92)]
    [InlineData("segmenter_vim_tiny_512.json", 1e-4, 0.05, 0.92)]
    public void Ade20kOptimizerFollowsTheOfficialScript(string name, double lr, double weightDecay, double layerDecay)
    {
        var optimizer = ConfigLoader.Load(Path.Combine(TestPaths.RepoRoot, "configs", "ade20k", name)).Optimizer;
        Assert.Equal((lr, weightDecay, layerDecay), (optimizer.Lr, optimizer.WeightDecay, optimizer.LayerDecayRate));
        Assert.True(optimizer.NoDecayBias && optimizer.NoDecayOneDimensional && !optimizer.NoDecayNorm, "mmseg's constructor rules");
    }
}

using TorchSharp;
using VimDense.Config;
using VimDense.Engine;
using VimDense.Experiments;
using VimDense.Heads.Detection;

namespace VimDense.Tests.Engine;

/// <summary>
/// The detection configs' weight decay follows detectron2's <c>get_default_optimizer_params(weight_decay_norm=0)</c>
/// with ViTDet's <c>overrides={"pos_embed": {"weight_decay": 0}}</c>: a parameter is undecayed iff the module that
/// holds it is one of torch's norm classes or its own name is "pos_embed"; biases, 1-D tensors, A_log, D, RMSNorm
/// and the channel LayerNorm (detectron2's <c>layers.LayerNorm</c>, not a torch norm class) are all decayed.
/// The expected split is computed here by walking the module tree directly, independently of WeightDecayRule.
/// </summary>
public class DetectronWeightDecayTests
{
    // detectron2's norm_module_types (solver/build.py), as TorchSharp names them.
    private static readonly HashSet<string> TorchNormTypes =
    [
        "TorchSharp.Modules.BatchNorm1d", "TorchSharp.Modules.BatchNorm2d", "TorchSharp.Modules.BatchNorm3d",
        "TorchSharp.Modules.GroupNorm", "TorchSharp.Modules.InstanceNorm1d", "TorchSharp.Modules.InstanceNorm2d",
        "TorchSharp.Modules.InstanceNorm3d", "TorchSharp.Modules.LayerNorm", "TorchSharp.Modules.LocalResponseNorm",
    ];

    private static ExperimentConfig Config(string name) =>
        ConfigLoader.Load(Path.Combine(TestPaths.RepoRoot, "configs", "coco", name));

    /// <summary>
    /// detectron2's loop: every module, its own parameters (each counted once), norm type → 0, override by the
    /// parameter's own name. Keyed by parameter object, as a child held in a property can be enumerated twice.
    /// </summary>
    private static Dictionary<object, bool> Detectron2Decays(torch.nn.Module module, Dictionary<object, bool>? into = null)
    {
        into ??= new Dictionary<object, bool>(ReferenceEqualityComparer.Instance);
        var isNorm = TorchNormTypes.Contains(module.GetType().FullName!);
        foreach (var (name, parameter) in module.named_parameters(recurse: false))
            into.TryAdd(parameter, !isNorm && name != "pos_embed");
        foreach (var (_, child) in module.named_children()) Detectron2Decays(child, into);
        return into;
    }

    /// <summary>detectron2's decision for each parameter, by the names the optimizer sees.</summary>
    private static Dictionary<string, bool> Detectron2DecaysByName(torch.nn.Module model)
    {
        var byAddress = Detectron2Decays(model);
        return model.named_parameters().ToDictionary(p => p.name, p => byAddress[p.parameter]);
    }

    private static (long Decayed, long Undecayed, Dictionary<string, bool> ByName) Split(torch.nn.Module model, WeightDecayRule rule)
    {
        long decayed = 0, undecayed = 0;
        var byName = new Dictionary<string, bool>();
        foreach (var group in ParameterGroups.Build(model, 0.1, rule, layerDecay: null))
            foreach (var (name, parameter) in group.Parameters)
            {
                var decays = group.WeightDecay > 0;
                byName[name] = decays;
                if (decays) decayed += parameter.numel(); else undecayed += parameter.numel();
            }
        return (decayed, undecayed, byName);
    }

    [Fact]
    public void CascadeVimTinyDecaysEverythingButPosEmbedAsDetectron2Does()
    {
        var config = Config("cascade_mask_rcnn_vim_tiny_1024_lsj.json");
        using var model = DetectorBuilder.Build(config.Model);
        var expected = Detectron2DecaysByName(model);
        var sizes = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.numel());
        var (decayed, undecayed, byName) = Split(model, TrainingSetup.DecayRule(config.Optimizer));

        Assert.Equal(expected.Keys.Order(), byName.Keys.Order());
        foreach (var (name, decays) in expected) Assert.True(decays == byName[name], $"{name}: decayed {byName[name]}, detectron2 {decays}");
        Assert.Equal(expected.Where(e => e.Value).Sum(e => sizes[e.Key]), decayed);
        Assert.Equal(expected.Where(e => !e.Value).Sum(e => sizes[e.Key]), undecayed);

        // Sanity figures: the model has no torch norm module, so only pos_embed (64·64 × 192) is undecayed; the
        // 47,726 bias values that the ".bias" rule used to exempt (issue 17) are now decayed.
        Assert.Equal(60080078, decayed + undecayed);
        Assert.Equal(64 * 64 * 192, undecayed);
        var biases = sizes.Where(s => s.Key.EndsWith(".bias", StringComparison.Ordinal)).Sum(s => s.Value);
        Assert.Equal(47726, biases);
        var withBiasRule = Split(model, new WeightDecayRule(["pos_embed"], exemptOneDimensional: false));
        Assert.Equal(undecayed + 47726, withBiasRule.Undecayed);
    }

    [Fact]
    public void CascadeDeitTinyExemptsTorchLayerNormsButNotChannelLayerNorms()
    {
        var config = Config("cascade_mask_rcnn_deit_tiny_1024_lsj.json");
        using var model = DetectorBuilder.Build(config.Model);
        var expected = Detectron2DecaysByName(model);
        var (_, _, byName) = Split(model, TrainingSetup.DecayRule(config.Optimizer));
        foreach (var (name, decays) in expected) Assert.True(decays == byName[name], $"{name}: decayed {byName[name]}, detectron2 {decays}");
        // The 12 blocks' norm1/norm2 are torch LayerNorms (weight + bias each): exempt; SFP and head LNs: decayed.
        Assert.False(byName["backbone.blocks.0.norm1.weight"]);
        Assert.False(byName["backbone.blocks.11.norm2.bias"]);
        Assert.Contains(byName, p => p.Key.StartsWith("neck.", StringComparison.Ordinal) && p.Key.Contains(".norm.") && p.Value);
        Assert.True(byName["backbone.blocks.0.attn.qkv.bias"]);
        Assert.Equal(12 * 2 * 2 + 1, expected.Count(e => !e.Value));
    }
}

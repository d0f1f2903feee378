using VimDense.Backbones;
using VimDense.Config;
using VimDense.Engine;
using VimDense.Heads.Segmentation;

namespace VimDense.Tests.Engine;

public class LayerDecayTests
{
    [Theory]
    [InlineData("backbone.pos_embed", 0)]
    [InlineData("backbone.cls_token", 0)]
    [InlineData("backbone.patch_embed.proj.weight", 0)]
    [InlineData("backbone.layers.0.mixer.in_proj.weight", 1)]
    [InlineData("backbone.layers.23.mixer.A_log", 24)]
    [InlineData("backbone.blocks.11.attn.qkv.weight", 12)]
    [InlineData("backbone.norm_f.weight", 25)]
    [InlineData("decode_head.conv_seg.weight", 25)]
    [InlineData("neck.branches.0.0.weight", 25)]
    public void LayerIdsFollowTheBeitConvention(string name, int expected) =>
        Assert.Equal(expected, new LayerDecayRule(24, 0.92).LayerId(name));

    [Fact]
    public void ReferenceModeSkipsVimLayersButNotDeitBlocks()
    {
        var reference = new LayerDecayRule(24, 0.92, reproduceReferenceBug: true);
        Assert.Equal(25, reference.LayerId("backbone.layers.3.mixer.in_proj.weight"));
        Assert.Equal(4, reference.LayerId("backbone.blocks.3.attn.qkv.weight"));
        Assert.Equal(0, reference.LayerId("backbone.pos_embed"));
        Assert.Equal(Math.Pow(0.92, 25), reference.Scale("backbone.patch_embed.proj.weight"), 12);
    }

    [Fact]
    public void EveryParameterOfADepth4VimUperNetGetsItsLayerRate()
    {
        var options = new VimOptions { ImgSize = 64, Depth = 4, OutIndices = [0, 1, 2, 3], Dense = true };
        var model = SegmentorBuilder.Build(new ModelConfig
        {
            NumClasses = 3,
            DecodeHead = ConfigSection.Of("upernet", new UperHeadOptions { Channels = 8 }),
            AuxiliaryHead = ConfigSection.Of("fcn", new FcnHeadOptions { Channels = 8, InIndex = 2 }),
        }, BackboneFactory.Create("vim_tiny", options));
        var rule = new LayerDecayRule(4, 0.5);
        var groups = ParameterGroups.Build(model, 0.05, new WeightDecayRule(), rule);
        var lrScale = groups.SelectMany(g => g.Parameters.Select(p => (p.Name, g.LrScale, g.WeightDecay))).ToDictionary(x => x.Name);
        Assert.Equal(model.named_parameters().Count(), lrScale.Count);
        foreach (var (name, (_, scale, decay)) in lrScale)
        {
            double expected = name switch
            {
                _ when name.StartsWith("backbone.patch_embed.") || name == "backbone.pos_embed" => Math.Pow(0.5, 5),
                _ when name.StartsWith("backbone.layers.") => Math.Pow(0.5, 4 - int.Parse(name.Split('.')[2])),
                _ => 1.0,
            };
            Assert.True(Math.Abs(expected - scale) < 1e-12, $"{name}: lr scale {scale}, expected {expected}");
            var last = name.Split('.')[^1];
            var exempt = name.EndsWith(".bias") || last is "pos_embed" or "A_log" or "A_b_log" or "D" or "D_b" || name.Contains("norm") || name.Contains(".bn.");
            if (exempt) Assert.True(decay == 0, $"{name} should not be weight-decayed");
        }
        Assert.Contains(lrScale.Keys, n => n.StartsWith("backbone.layers.3."));
        Assert.Equal(0.05, lrScale["backbone.layers.0.mixer.in_proj.weight"].WeightDecay);
    }

    [Fact]
    public void WeightDecayRuleReferenceModeDecaysPosEmbedAndALog()
    {
        var reference = new WeightDecayRule(exemptNames: []);
        Assert.True(reference.Decays("backbone.pos_embed", 3));
        Assert.True(reference.Decays("backbone.layers.0.mixer.A_log", 2));
        Assert.False(reference.Decays("backbone.layers.0.mixer.D", 1));
        Assert.False(new WeightDecayRule().Decays("backbone.layers.0.mixer.A_log", 2));
    }
}

using VimDense.Backbones;
using static TorchSharp.torch;

namespace VimDense.Tests.Backbones;

/// <summary>The paper's ablation options build, name their parameters like the reference and run.</summary>
public sealed class VimAblationTests
{
    private static VisionMamba Classifier(ClassTokenPlacement classToken, FinalPool pool = FinalPool.Mean, VimMixer mixer = VimMixer.V2, bool pairs = false) =>
        (VisionMamba)BackboneFactory.Create("vim_tiny", new VimOptions
        {
            Dense = false, Depth = 2, ImgSize = 32, NumClasses = 5, ClassToken = classToken, FinalPool = pool, Mixer = mixer,
            BidirectionalPairs = pairs,
        });

    [Theory]
    [InlineData(ClassTokenPlacement.Middle, FinalPool.Mean, VimMixer.V2, false, new[] { "cls_token" })]
    [InlineData(ClassTokenPlacement.Head, FinalPool.Mean, VimMixer.V2, false, new[] { "cls_token" })]
    [InlineData(ClassTokenPlacement.Double, FinalPool.Mean, VimMixer.V2, false, new[] { "cls_token_head", "cls_token_tail" })]
    [InlineData(ClassTokenPlacement.None, FinalPool.Mean, VimMixer.V2, false, new string[0])]
    [InlineData(ClassTokenPlacement.None, FinalPool.Max, VimMixer.V2, false, new string[0])]
    [InlineData(ClassTokenPlacement.None, FinalPool.None, VimMixer.None, true, new string[0])]
    public void EveryAblationRuns(ClassTokenPlacement classToken, FinalPool pool, VimMixer mixer, bool pairs, string[] classKeys)
    {
        manual_seed(8);
        using var model = Classifier(classToken, pool, mixer, pairs);
        var names = model.named_parameters().Select(p => p.name).ToList();
        Assert.Equal(classKeys, names.Where(n => n.StartsWith("cls_token", StringComparison.Ordinal)).Order().ToArray());
        Assert.Equal(mixer == VimMixer.V2, names.Contains("layers.1.mixer.A_b_log"));
        Assert.Equal(4 + classKeys.Length, model.get_parameter("pos_embed")!.shape[1]);
        model.eval();
        using var noGrad = no_grad();
        using var images = randn(2, 3, 32, 32);
        using var logits = model.forward(images);
        Assert.Equal(new long[] { 2, 5 }, logits.shape);
        Assert.False(logits.isnan().any().item<bool>());
    }

    [Fact]
    public void MaxPoolIsTheMaximumOfPerTokenLogits()
    {
        manual_seed(8);
        using var model = Classifier(ClassTokenPlacement.None, FinalPool.Max);
        model.eval();
        using var noGrad = no_grad();
        using var images = randn(1, 3, 32, 32);
        using var logits = model.forward(images);
        using var mean = Classifier(ClassTokenPlacement.None, FinalPool.Mean);
        mean.load_state_dict(model.state_dict());
        mean.eval();
        // Linear head: logits of the mean token = mean of per-token logits <= max of per-token logits.
        using var meanLogits = mean.forward(images);
        Assert.True((logits - meanLogits).min().item<float>() >= -1e-6f);
    }

    [Fact]
    public void ClassTokenLayoutInsertsAndRemovesAtTheRightIndices()
    {
        var layout = new ClassTokenLayout(ClassTokenPlacement.Middle, 196);
        Assert.Equal(new[] { 98 }, layout.Indices);
        Assert.Equal(new[] { 0, 197 }, new ClassTokenLayout(ClassTokenPlacement.Double, 196).Indices);
        using var patches = arange(196, dtype: ScalarType.Float32).view(1, 1, 196);
        using var token = full(1, 1, 1, -1f);
        using var sequence = layout.Insert(patches, [token]);
        Assert.Equal(-1f, sequence[0, 0, 98].item<float>());
        Assert.Equal(98f, sequence[0, 0, 99].item<float>());
        using var back = layout.RemoveClassTokens(sequence);
        Assert.True(back.eq(patches).all().item<bool>());
    }
}

using VimDense.Backbones;
using VimDense.Config;
using VimDense.Experiments;
using VimDense.Ops;
using VimDense.Tests.Engine;
using static TorchSharp.torch;

namespace VimDense.Tests.Backbones;

/// <summary>
/// model.backbone.checkpoint_layers: recomputing blocks in backward changes memory, never the numbers. In fp32 every
/// parameter gradient and the input gradient are bit-identical with and without recomputation, drop path on (its
/// random draws are replayed), and the global generator ends where it would have.
/// </summary>
[Collection(GlobalRngCollection.Name)]
public sealed class ActivationRecomputationTests
{
    public static TheoryData<string> VimVariants => ["plain", "rope", "pairs"];

    [Theory]
    [MemberData(nameof(VimVariants))]
    public void VimBlockStackGradientsAreBitIdentical(string variant)
    {
        var options = new VimOptions
        {
            Depth = 4, ImgSize = 32, OutIndices = [1, 3], DropPathRate = 0.5,
            Rope = variant == "rope", RopeResidual = variant == "rope", BidirectionalPairs = variant == "pairs",
        };
        if (variant == "pairs") options = options with { OutIndices = [0, 1] };   // two steps of block pairs
        AssertSameGradients(() => BackboneFactory.Create("vim_tiny", options), [RecomputedBlocks.All, new RecomputedBlocks(1)]);
    }

    /// <summary>
    /// Under bf16 autocast the recomputed blocks cast as their forward did, though backward runs after the scope that
    /// covered the forward has closed: the gradients equal those of the bf16 run without recomputation to within a
    /// hundredth of what bf16 itself changes (the split graph may sum a gradient in another order; a block recomputed
    /// in fp32 would differ by the whole bf16 difference).
    /// </summary>
    [Fact]
    public void RecomputationReplaysTheAutocastScope()
    {
        var options = new VimOptions { Depth = 2, ImgSize = 32, OutIndices = [1], DropPathRate = 0.5 };
        IBackbone Build() => BackboneFactory.Create("vim_tiny", options);
        var fp32 = Gradients(Build, RecomputedBlocks.None);
        var bf16 = Gradients(Build, RecomputedBlocks.None, ScalarType.BFloat16);
        var recomputed = Gradients(Build, RecomputedBlocks.All, ScalarType.BFloat16);
        Assert.True(bf16["rng.after"].eq(recomputed["rng.after"]).all().item<bool>());
        foreach (var name in bf16.Keys.Where(k => k != "rng.after"))
        {
            var precisionEffect = MaxAbsDiff(fp32[name], bf16[name]);
            Assert.True(precisionEffect > 0, $"{name}: bf16 made no difference, autocast did not run");
            Assert.True(MaxAbsDiff(bf16[name], recomputed[name]) <= 0.01 * precisionEffect,
                $"{name}: recomputed under bf16 differs by {MaxAbsDiff(bf16[name], recomputed[name]):E2}, bf16 itself by {precisionEffect:E2}");
        }
    }

    private static double MaxAbsDiff(Tensor a, Tensor b) => (a.to(ScalarType.Float64) - b.to(ScalarType.Float64)).abs().max().item<double>();

    [Fact]
    public void VitBlockStackGradientsAreBitIdentical()
    {
        var options = new VitOptions { Depth = 4, ImgSize = 64, OutIndices = [1, 3], DropPathRate = 0.5, WindowSize = 2, GlobalBlocks = [3] };
        AssertSameGradients(() => BackboneFactory.Create("deit_tiny", options), [RecomputedBlocks.All, new RecomputedBlocks(2)]);
    }

    [Fact]
    public void DemoSegmentorTrainingStepGradientsAreBitIdentical()
    {
        var config = Path.Combine(TestPaths.RepoRoot, "configs", "demo", "upernet_vim_tiny_synthetic.json");
        Dictionary<string, Tensor> Step(string checkpointLayers)
        {
            var experiment = Experiment.FromConfig<SegmentationExperiment>(config,
                ["model.backbone.options.drop_path_rate=0.3", $"model.backbone.checkpoint_layers={checkpointLayers}", "model.num_classes=8"],
                TestPaths.NewTempDir());
            manual_seed(11);
            var model = experiment.BuildModel(loadPretrained: false);
            Assert.Equal(RecomputedBlocks.TryParse(checkpointLayers), model.Backbone.CheckpointLayers);
            model.train();
            manual_seed(12);
            using var images = randn(2, 3, 64, 64);
            using var labels = randint(0, 8, [2, 64, 64], dtype: ScalarType.Int64);
            var (losses, _) = model.Loss(images, labels);
            using var total = losses.Values.Aggregate((a, b) => a + b);
            total.backward();
            var grads = model.named_parameters().Where(p => p.parameter.grad is not null)
                .ToDictionary(p => p.name, p => p.parameter.grad!.clone());
            grads["rng.after"] = random.get_rng_state();
            return grads;
        }
        var plain = Step("false");
        Assert.Contains(plain.Keys, k => k.StartsWith("backbone.layers.3.", StringComparison.Ordinal));
        AssertEqual(plain, Step("true"), "checkpoint_layers=true");
    }

    [Fact]
    public void RunsPlainlyWithoutAGraph()
    {
        using var x = randn(3, 4).requires_grad_(true);
        var calls = 0;
        Tensor[] Block(Tensor[] inputs) { calls++; return [inputs[0] * 2]; }
        using (no_grad())
        {
            var y = ActivationRecomputation.Run(Block, [x], drawsRandomNumbers: false, "test")[0];
            Assert.False(y.requires_grad);
        }
        var z = ActivationRecomputation.Run(Block, [x], drawsRandomNumbers: false, "test")[0];
        Assert.Equal(2, calls);
        z.sum().backward();
        Assert.Equal(3, calls);   // rerun in backward
        Assert.True(x.grad!.eq(2).all().item<bool>());
    }

    [Fact]
    public void AnOutputBackwardNeverReachesIsSkipped()
    {
        using var x = randn(3, 4).requires_grad_(true);
        Tensor[] Block(Tensor[] inputs) => [inputs[0] * 2, inputs[0] * 3];
        Tensor used;
        using (var scope = NewDisposeScope())   // the forward's scope ends before backward, as in the backbones
            used = ActivationRecomputation.Run(Block, [x], drawsRandomNumbers: false, "test")[0].MoveToOuterDisposeScope();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        used.sum().backward();
        Assert.True(x.grad!.eq(2).all().item<bool>());
    }

    [Theory]
    [InlineData("true", int.MaxValue)]
    [InlineData("false", 0)]
    [InlineData("3", 3)]
    public void CheckpointLayersBindsTrueFalseOrACount(string value, int count)
    {
        var config = ConfigLoader.Load(Path.Combine(TestPaths.RepoRoot, "configs", "demo", "upernet_vim_tiny_synthetic.json"),
            [$"model.backbone.checkpoint_layers={value}"]);
        Assert.Equal(count, config.Model.Backbone.CheckpointLayers.Count);
        Assert.Equal(count, BackboneFactory.Create(config.Model.Backbone).CheckpointLayers.Count);
        Assert.Contains($"\"checkpoint_layers\": {value}", ConfigLoader.Serialize(config));
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("\"all\"")]
    public void CheckpointLayersRejectsOtherValuesNamingTheKey(string value)
    {
        var error = Assert.Throws<UserInputException>(() => ConfigLoader.Load(
            Path.Combine(TestPaths.RepoRoot, "configs", "demo", "upernet_vim_tiny_synthetic.json"), [$"model.backbone.checkpoint_layers={value}"]));
        Assert.Contains("model.backbone.checkpoint_layers", error.Message);
        Assert.Contains("true, false or a block count", error.Message);
    }

    /// <summary>Gradients of a fixed objective over the dense maps (parameters and input image) with each setting, from equal starts.</summary>
    private static void AssertSameGradients(Func<IBackbone> build, RecomputedBlocks[] settings)
    {
        var plain = Gradients(build, RecomputedBlocks.None);
        foreach (var setting in settings) AssertEqual(plain, Gradients(build, setting), $"checkpoint_layers={setting}");
    }

    private static Dictionary<string, Tensor> Gradients(Func<IBackbone> build, RecomputedBlocks setting, ScalarType? autocast = null)
    {
        manual_seed(1);
        var backbone = build();
        backbone.CheckpointLayers = setting;
        backbone.Module.train();
        manual_seed(2);
        using var images = randn(4, 3, backbone is VisionTransformer ? 64 : 32, backbone is VisionTransformer ? 64 : 32).requires_grad_(true);
        IReadOnlyList<Tensor> maps;
        using (VimDense.Layers.Autocast.Enter(autocast)) maps = backbone.ForwardIntermediates(images);
        using var objective = maps.Select((m, k) => (m.to(ScalarType.Float32) * (k + 1.5)).pow(2).mean()).Aggregate((a, b) => a + b);
        objective.backward();
        var grads = backbone.Module.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.clone());
        grads["images"] = images.grad!.clone();
        grads["rng.after"] = random.get_rng_state();
        return grads;
    }

    private static void AssertEqual(Dictionary<string, Tensor> expected, Dictionary<string, Tensor> actual, string what)
    {
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, grad) in expected)
            Assert.True(grad.shape.SequenceEqual(actual[name].shape) && grad.eq(actual[name]).all().item<bool>(), $"{what}: gradient of {name} differs (max |diff| {(grad.to(ScalarType.Float64) - actual[name].to(ScalarType.Float64)).abs().max().item<double>()})");
    }
}

using VimDense.Experiments;
using VimDense.Tests.Engine;
using static TorchSharp.torch;

namespace VimDense.Tests.Detection;

/// <summary>
/// Recomputation in the detector (model.backbone.checkpoint_layers, model.neck/rpn/roi_heads.checkpoint): two training
/// steps of the demo Cascade Mask R-CNN (drop path on) leave every parameter and the generator bit-identical to the
/// run that keeps all activations.
/// </summary>
[Collection(GlobalRngCollection.Name)]
public sealed class DetectionRecomputationTests
{
    private static readonly string DemoConfig = Path.Combine(TestPaths.RepoRoot, "configs", "demo", "cascade_mask_rcnn_vim_tiny_synthetic.json");

    [Fact]
    public void NeckRpnAndRoiHeadsRecomputedGiveBitIdenticalTrainingSteps()
    {
        var plain = TwoSteps("false", false);
        AssertEqual(plain, TwoSteps("false", true), "neck, RPN and ROI heads recomputed");
        AssertEqual(plain, TwoSteps("true", true), "everything recomputed");
    }

    [Fact]
    public void FpnNeckWithBatchNormRefusesRecomputation()
    {
        var error = Assert.Throws<UserInputException>(() => Experiment.FromConfig<DetectionExperiment>(DemoConfig,
            ["model.neck.type=fpn", "model.neck.checkpoint=true", "model.backbone.options.out_indices=[0,1,2,3]"], TestPaths.NewTempDir())
            .BuildModel(loadPretrained: false));
        Assert.Contains("model.neck.checkpoint", error.Message);
        Assert.Contains("model.neck.norm=none", error.Message);
    }

    private static Dictionary<string, Tensor> TwoSteps(string backbone, bool heads)
    {
        var experiment = Experiment.FromConfig<DetectionExperiment>(DemoConfig,
            ["model.backbone.options.img_size=64", "model.backbone.options.drop_path_rate=0.3", $"model.backbone.checkpoint_layers={backbone}",
             $"model.neck.checkpoint={heads}", $"model.rpn.checkpoint={heads}", $"model.roi_heads.checkpoint={heads}"],
            TestPaths.NewTempDir());
        var model = experiment.BuildModel(loadPretrained: false);
        var trainer = experiment.CreateTrainer(model, new RandomDetectionBatches(2, 64, experiment.Classes.Count, masks: true), null);
        model.train();
        manual_seed(21);
        for (var i = 0; i < 2; i++) Assert.True(double.IsFinite(trainer.StepOnce(i)["loss"]));
        var state = model.state_dict().ToDictionary(p => p.Key, p => p.Value.clone());
        state["rng.after"] = random.get_rng_state();
        return state;
    }

    private static void AssertEqual(Dictionary<string, Tensor> expected, Dictionary<string, Tensor> actual, string what)
    {
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, value) in expected)
            Assert.True(value.shape.SequenceEqual(actual[name].shape) && value.eq(actual[name]).all().item<bool>(), $"{what}: {name} differs after two steps");
    }
}

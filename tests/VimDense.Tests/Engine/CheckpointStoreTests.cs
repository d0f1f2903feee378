using TorchSharp;
using VimDense.Checkpoints;
using VimDense.Engine;
using static TorchSharp.torch;

namespace VimDense.Tests.Engine;

[Collection(GlobalRngCollection.Name)]
public class CheckpointStoreTests
{
    /// <summary>
    /// A training checkpoint written by the former Engine/TensorFile writer, with the optimizer's one global step
    /// (2) in metadata and no per-parameter counts: model Sequential(fc: Linear(3, 2), out: Linear(2, 1)) after two
    /// AdamW steps, EMA entries set to half the model's weights.
    /// </summary>
    private static readonly string Legacy = Path.Combine(TestPaths.RepoRoot, "tests", "VimDense.Tests", "Checkpoints", "Data", "legacy_train_iter_2.safetensors");

    private static (TorchSharp.Modules.Sequential Model, AdamW Optimizer) Build()
    {
        var model = nn.Sequential(("fc", nn.Linear(3, 2)), ("out", nn.Linear(2, 1)));
        var groups = new List<ParameterGroup> { new("all", 1.0, 0.01, model.named_parameters().Select(p => (p.name, p.parameter)).ToList()) };
        return (model, new AdamW(groups));
    }

    private static void AssertWeights(nn.Module model, IReadOnlyDictionary<string, Tensor> file, string prefix)
    {
        foreach (var (name, value) in model.state_dict())
            Assert.True(value.shape.SequenceEqual(file[prefix + name].shape) && value.eq(file[prefix + name]).all().item<bool>(), $"{name} differs from the checkpoint's {prefix}{name}");
    }

    [Fact]
    public void CheckpointsOfTheFormerWriterResumeWithTheGlobalStepForEveryParameter()
    {
        var file = SafeTensors.Load(Legacy);
        var (model, optimizer) = Build();
        var ema = new ExponentialMovingAverage(model, 0.9);
        var state = CheckpointStore.Restore(Legacy, model, optimizer, ema);
        Assert.Equal((2L, 2L, "2"), (state.Iteration, state.OptimizerSteps, state.DataState));
        AssertWeights(model, file, "model.");
        Assert.All(optimizer.Groups[0].Parameters, p => Assert.Equal(2, optimizer.StepOf(p.Name)));
        ema.Swap();
        AssertWeights(model, file, "ema.");

        optimizer.ZeroGrad();
        model.forward(randn(4, 3)).sum().backward();
        optimizer.Step(0.01);
        Assert.All(optimizer.Groups[0].Parameters, p => Assert.Equal(3, optimizer.StepOf(p.Name)));
    }

    [Fact]
    public void ModelWeightsLoadFromTheLiveOrTheAveragedEntries()
    {
        var file = SafeTensors.Load(Legacy);
        var (model, _) = Build();
        CheckpointStore.LoadModelWeights(Legacy, model);
        AssertWeights(model, file, "model.");
        CheckpointStore.LoadModelWeights(Legacy, model, preferEma: true);
        AssertWeights(model, file, "ema.");
    }

    [Fact]
    public void SavedCheckpointsRoundTripAndAModelOfAnotherShapeIsRefused()
    {
        var dir = TestPaths.NewTempDir();
        manual_seed(4);
        var (model, optimizer) = Build();
        optimizer.ZeroGrad();
        model.forward(randn(4, 3)).sum().backward();
        optimizer.Step(0.01);
        var store = new CheckpointStore(Path.Combine(dir, "work"), keepLast: 1);
        var path = store.Save(model, optimizer, null, new TrainingState(1, 1, "s", 0.5, 1), "{}");
        Assert.Equal(path, store.LatestPath);
        Assert.Equal("vimdense-train-1", SafeTensors.ReadMetadata(path)["format"]);
        Assert.Equal(["iter_1.safetensors", "last_checkpoint"], Directory.GetFiles(store.WorkDir).Select(Path.GetFileName).Order().ToArray());

        var (copy, copyOptimizer) = Build();
        var state = CheckpointStore.Restore(path, copy, copyOptimizer, null);
        Assert.Equal(new TrainingState(1, 1, "s", 0.5, 1), state);
        AssertWeights(copy, model.state_dict(), "");
        Assert.Equal(1, copyOptimizer.StepOf("fc.weight"));

        var other = nn.Sequential(("fc", nn.Linear(3, 4)), ("out", nn.Linear(4, 1)));
        var error = Assert.Throws<UserInputException>(() => CheckpointStore.LoadModelWeights(path, other));
        Assert.Contains("fc.weight", error.Message);
    }

    /// <summary>A child registered by hand as "fc" and again, by RegisterComponents, under its property's backing field.</summary>
    private sealed class TwiceNamed : nn.Module<Tensor, Tensor>
    {
        public TwiceNamed() : base(nameof(TwiceNamed))
        {
            Fc = nn.Linear(3, 2);
            register_module("fc", Fc);
            RegisterComponents();
        }

        public TorchSharp.Modules.Linear Fc { get; }

        public override Tensor forward(Tensor x) => Fc.forward(x);
    }

    [Fact]
    public void AChildThatStateDictListsTwiceSavesAndLoads()
    {
        var model = new TwiceNamed();
        Assert.True(model.state_dict().Count > StateDicts.Targets(model).Count, "precondition: state_dict() lists the child twice");
        AdamW Optimizer(nn.Module m) => new([new("all", 1.0, 0.0, m.named_parameters().Select(p => (p.name, p.parameter)).ToList())]);
        var path = new CheckpointStore(TestPaths.NewTempDir(), 1).Save(model, Optimizer(model), null, new TrainingState(1, 0, "", null, null), "{}");

        var copy = new TwiceNamed();
        CheckpointStore.Restore(path, copy, Optimizer(copy), null);
        AssertWeights(copy, model.state_dict(), "");
        var other = new TwiceNamed();
        CheckpointStore.LoadModelWeights(path, other);
        AssertWeights(other, model.state_dict(), "");
    }
}

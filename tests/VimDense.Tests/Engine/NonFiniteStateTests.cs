using System.Globalization;
using VimDense.Engine;
using static TorchSharp.torch;

namespace VimDense.Tests.Engine;

/// <summary>
/// A state that became non-finite without a non-finite loss (BatchNorm's running_var at +Inf, as lr 10 once did) is
/// never written: training stops like a NaN loss, naming the tensor and the last good checkpoint, and the "best"
/// checkpoint stays the last good one. Stale temporaries of interrupted writes are removed when a run starts.
/// </summary>
[Collection(GlobalRngCollection.Name)]
public class NonFiniteStateTests
{
    private sealed class Batches : IResumableBatchSource<Tensor>
    {
        private long served;
        public Tensor Next() => randn([8, 4], generator: new TorchSharp.torch.Generator((ulong)(50 + served++)));
        public string SaveState() => served.ToString(CultureInfo.InvariantCulture);
        public void RestoreState(string state) => served = long.Parse(state, CultureInfo.InvariantCulture);
    }

    private static Trainer<Tensor> Create(string workDir, long iterations, int poisonAtIteration)
    {
        manual_seed(3);
        var model = nn.Sequential(("fc", nn.Linear(4, 4)), ("bn", nn.BatchNorm1d(4)));
        var optimizer = new AdamW(ParameterGroups.Build(model, 0.0, new WeightDecayRule(), null));
        var schedule = new LearningRateSchedule(1e-3, iterations, WarmupIterations: 0);
        var options = new TrainerOptions
        {
            WorkDir = workDir, Iterations = iterations, CheckpointInterval = 2, EvaluationInterval = 1, KeepLastCheckpoints = 5,
            LogInterval = 1, TensorBoard = false, ProgressOutput = TextWriter.Null,
        };
        var call = 0;
        var bn = (nn.Module)model.named_children().Single(c => c.name == "bn").module;
        var metric = 0.0;
        return new Trainer<Tensor>(model, optimizer, schedule, options, x =>
        {
            if (++call == poisonAtIteration)
                using (no_grad()) bn.get_buffer("running_var")!.fill_(double.PositiveInfinity);
            var loss = model.call(x).square().mean(); // in training mode BatchNorm normalises by the batch: the loss stays finite
            return new TrainStepResult(loss, new Dictionary<string, double>());
        }, new Batches(), () => new Dictionary<string, double> { ["mIoU"] = ++metric });
    }

    [Fact]
    public void AnInfiniteRunningVarStopsTrainingAndIsNeverSavedOrBest()
    {
        var dir = TestPaths.NewTempDir();
        var trainer = Create(dir, iterations: 6, poisonAtIteration: 3);
        var error = Assert.Throws<TrainingDivergedException>(() => trainer.Run(resume: false));
        Assert.Contains("model.bn.running_var", error.Message);
        Assert.Contains("iteration 3", error.Message);
        Assert.Contains(Path.Combine(dir, "iter_2.safetensors"), error.Message);
        Assert.Equal(["iter_2.safetensors"], Directory.GetFiles(dir, "iter_*.safetensors").Select(Path.GetFileName).ToArray());
        // Iterations 1 and 2 each improved the metric; iteration 3's "improvement" is not saved.
        Assert.Equal(["best_mIoU_iter_2.safetensors"], Directory.GetFiles(dir, "best_*.safetensors").Select(Path.GetFileName).ToArray());
        Assert.Equal("iter_2.safetensors", File.ReadAllText(Path.Combine(dir, CheckpointStore.LatestPointer)).Trim());
        Assert.Empty(Directory.GetFiles(dir, "*.tmp", SearchOption.AllDirectories).Concat(Directory.GetFiles(dir, ".*")));
    }

    [Fact]
    public void ARunRemovesTheTemporariesOfInterruptedWritesAndNothingElse()
    {
        var dir = TestPaths.NewTempDir();
        var stale = Path.Combine(dir, $".iter_4.safetensors.{Guid.NewGuid():N}.tmp");
        var pointer = Path.Combine(dir, $".last_checkpoint.{Guid.NewGuid():N}.tmp");
        var users = Path.Combine(dir, "notes.tmp");
        foreach (var path in new[] { stale, pointer, users }) File.WriteAllText(path, "partial");
        Create(dir, iterations: 2, poisonAtIteration: -1).Run(resume: false);
        Assert.False(File.Exists(stale));
        Assert.False(File.Exists(pointer));
        Assert.True(File.Exists(users));
        Assert.True(File.Exists(Path.Combine(dir, "iter_2.safetensors")));
    }
}

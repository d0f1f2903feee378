using System.Globalization;
using TorchSharp;
using VimDense.Config;
using VimDense.Engine;
using VimDense.Heads.Segmentation;
using VimDense.Tests.Segmentation;
using static TorchSharp.torch;

namespace VimDense.Tests.Engine;

[Collection(GlobalRngCollection.Name)]
public class ResumeTests
{
    /// <summary>Batches drawn from a seeded generator whose position is the number of batches served.</summary>
    private sealed class CountingSource : IResumableBatchSource<(Tensor Images, Tensor Labels)>
    {
        private long served;
        public (Tensor Images, Tensor Labels) Next()
        {
            var generator = new torch.Generator((ulong)(1000 + served++));
            return (randn([2, 3, 32, 32], generator: generator), randint(0, 3, [2, 32, 32], generator: generator).to(int64));
        }
        public string SaveState() => served.ToString(CultureInfo.InvariantCulture);
        public void RestoreState(string state) => served = long.Parse(state, CultureInfo.InvariantCulture);
    }

    internal static (List<double> Losses, Dictionary<string, Tensor> Weights, Trainer<(Tensor, Tensor)> Trainer) Train(string workDir, long iterations, bool resume, double? clip = 1.0, Func<long, double>? poison = null,
        VimDense.Engine.Precision precision = VimDense.Engine.Precision.Fp32)
    {
        manual_seed(7);
        var model = SegmentorBuilder.Build(new ModelConfig
        {
            NumClasses = 3,
            DecodeHead = ConfigSection.Of("upernet", new UperHeadOptions { Channels = 8, DropoutRatio = 0.5 }),
            AuxiliaryHead = ConfigSection.Of("fcn", new FcnHeadOptions { Channels = 8, InIndex = 2, LossWeight = 0.4, DropoutRatio = 0.5 }),
        }, new FakeBackbone());
        var groups = ParameterGroups.Build(model, 0.01, new WeightDecayRule(), new LayerDecayRule(4, 0.9));
        var optimizer = new AdamW(groups);
        var schedule = new LearningRateSchedule(1e-3, 6, WarmupIterations: 2);
        var options = new TrainerOptions
        {
            WorkDir = workDir, Iterations = iterations, CheckpointInterval = 3, KeepLastCheckpoints = 1, AccumulationSteps = 2,
            GradientClipNorm = clip, EmaDecay = 0.9, LogInterval = 1, ProgressOutput = TextWriter.Null, Precision = precision,
        };
        long calls = 0;
        var trainer = new Trainer<(Tensor, Tensor)>(model, optimizer, schedule, options, batch =>
        {
            var (losses, accuracy) = model.Loss(batch.Item1, batch.Item2);
            var loss = losses["loss"];
            if (poison is not null) loss = loss * poison(calls++);
            return new TrainStepResult(loss, new Dictionary<string, double> { ["acc_seg"] = accuracy });
        }, new CountingSource());
        trainer.Run(resume);
        var weights = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        return (trainer.Losses.Select(l => l.Loss).ToList(), weights, trainer);
    }

    [Fact]
    public void ResumingGivesTheSameLossesAndWeightsAsAnUninterruptedRun()
    {
        var straight = Train(TestPaths.NewTempDir(), 6, resume: false);
        var dir = TestPaths.NewTempDir();
        var first = Train(dir, 3, resume: false);
        var second = Train(dir, 6, resume: true);
        Assert.Equal(straight.Losses, first.Losses.Concat(second.Losses).ToList());
        foreach (var (name, value) in straight.Weights)
            Assert.True(value.eq(second.Weights[name]).all().item<bool>(), $"{name} differs after resume");
        Assert.Equal(["iter_6.safetensors"], Directory.GetFiles(dir, "iter_*.safetensors").Select(Path.GetFileName).ToArray());
    }

    [Fact]
    public void NanLossStopsWithAClearMessageAndKeepsTheLastGoodCheckpoint()
    {
        var dir = TestPaths.NewTempDir();
        // 2 micro-batches per iteration: call 8 is in iteration 5.
        var error = Assert.Throws<TrainingDivergedException>(() => Train(dir, 6, resume: false, poison: call => call == 8 ? double.NaN : 1));
        Assert.Contains("iteration 5", error.Message);
        Assert.Contains("iter_3.safetensors", error.Message);
        Assert.Equal(["iter_3.safetensors"], Directory.GetFiles(dir, "iter_*.safetensors").Select(Path.GetFileName).ToArray());
    }
}

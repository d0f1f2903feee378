using System.Globalization;
using TorchSharp;
using VimDense.Engine;
using VimDense.Layers;
using VimDense.Tests.Engine;
using static TorchSharp.torch;

namespace VimDense.Tests.Precision;

/// <summary>fp16 dynamic loss scaling: skip on overflow, back off, grow, stop after many skips, survive resume.</summary>
[Collection(GlobalRngCollection.Name)]
public class LossScalerTests
{
    [Fact]
    public void BacksOffOnOverflowAndGrowsAfterTheIntervalOfGoodSteps()
    {
        var scaler = new LossScaler(growthInterval: 3);
        Assert.Equal(65536, scaler.Scale);
        scaler.Update(finite: false, 1);
        Assert.Equal(32768, scaler.Scale);
        scaler.Update(true, 2);
        scaler.Update(true, 3);
        Assert.Equal(32768, scaler.Scale);
        scaler.Update(true, 4);
        Assert.Equal(65536, scaler.Scale);
        Assert.Equal(0, scaler.GoodSteps);
    }

    [Fact]
    public void FiftySkipsInARowStopTraining()
    {
        var scaler = new LossScaler();
        for (var i = 1; i < LossScaler.MaxConsecutiveSkips; i++) scaler.Update(false, i);
        scaler.Update(true, 50); // one good step resets the count
        for (var i = 1; i < LossScaler.MaxConsecutiveSkips; i++) scaler.Update(false, 50 + i);
        var e = Assert.Throws<TrainingDivergedException>(() => scaler.Update(false, 200));
        Assert.Contains("50 steps in a row", e.Message);
        Assert.Contains("iteration 200", e.Message);
    }

    [Fact]
    public void UnscaleDividesGradientsAndReportsNonFinite()
    {
        var scaler = new LossScaler(4);
        var p = zeros(3).requires_grad_();
        p.grad = tensor(new float[] { 4, 8, 12 });
        Assert.True(scaler.Unscale([p]));
        Assert.Equal(new float[] { 1, 2, 3 }, p.grad!.data<float>().ToArray());
        p.grad = tensor(new float[] { 1, float.PositiveInfinity, 0 });
        Assert.False(scaler.Unscale([p]));
    }

    /// <summary>Small inputs (so that scaled fp16 gradients stay finite), one of them Inf when asked.</summary>
    private sealed class Inputs(long injectAt) : IResumableBatchSource<Tensor>
    {
        private long served;
        public Tensor Next()
        {
            var x = randn([4, 3], generator: new Generator((ulong)(10 + served))).mul_(0.01);
            if (served++ == injectAt) x[0, 0] = float.PositiveInfinity;
            return x;
        }
        public string SaveState() => served.ToString(CultureInfo.InvariantCulture);
        public void RestoreState(string state) => served = long.Parse(state, CultureInfo.InvariantCulture);
    }

    private static (Trainer<Tensor> Trainer, TorchSharp.Modules.Linear Model) NewTrainer(string workDir, long iterations, long injectAt = -1)
    {
        manual_seed(3);
        var model = nn.Linear(3, 2);
        using (no_grad())
        {
            model.weight!.mul_(0.01);
            model.bias!.mul_(0.01);
        }
        var optimizer = new AdamW(ParameterGroups.Build(model, 0.0, new WeightDecayRule(), null));
        var options = new TrainerOptions
        {
            WorkDir = workDir, Iterations = iterations, CheckpointInterval = 3, KeepLastCheckpoints = 1, LogInterval = 1,
            TensorBoard = false, ProgressOutput = TextWriter.Null, Precision = VimDense.Engine.Precision.Fp16, LossScaleGrowthInterval = 2,
        };
        var trainer = new Trainer<Tensor>(model, optimizer, new LearningRateSchedule(1e-3, 10), options, // one schedule for straight and resumed runs
            x => new TrainStepResult(Autocast.Float(Autocast.Linear(model, x)).square().mean(), new Dictionary<string, double>()), new Inputs(injectAt));
        return (trainer, model);
    }

    [Fact]
    public void AnInjectedInfStepIsSkippedThenTheScaleRecovers()
    {
        var (trainer, model) = NewTrainer(TestPaths.NewTempDir(), 10, injectAt: 2);
        var scales = new List<double>();
        Tensor? before = null;
        for (var i = 0; i < 7; i++)
        {
            if (i == 2) before = model.weight!.detach().clone();
            var scalars = trainer.StepOnce(i);
            scales.Add(scalars["loss_scale"]);
            if (i == 2) Assert.True(model.weight!.eq(before!).all().item<bool>(), "the overflowing step changed the weights");
            if (i == 3) Assert.False(model.weight!.eq(before!).all().item<bool>(), "training did not continue after the skipped step");
        }
        // Two good steps double it, the Inf step halves it (and is skipped), two good steps double it again.
        Assert.Equal([65536, 65536, 131072, 65536, 65536, 131072, 131072], scales);
        Assert.Equal(262144, trainer.LossScale);
    }

    [Fact]
    public void ResumeContinuesWithTheSavedScale()
    {
        var straight = NewTrainer(TestPaths.NewTempDir(), 5, injectAt: 1).Trainer;
        straight.Run(resume: false);
        var dir = TestPaths.NewTempDir();
        var first = NewTrainer(dir, 3, injectAt: 1).Trainer;
        first.Run(resume: false);
        var second = NewTrainer(dir, 5, injectAt: 1).Trainer;
        second.Run(resume: true);
        // Saved after iteration 3: 32768 with one good step (the skip was iteration 2); a fresh scaler would end at 131072.
        Assert.Equal(65536, straight.LossScale);
        Assert.Equal(straight.LossScale, second.LossScale);
        Assert.Equal(straight.Losses.Select(l => l.Loss), first.Losses.Concat(second.Losses).Select(l => l.Loss));
    }
}

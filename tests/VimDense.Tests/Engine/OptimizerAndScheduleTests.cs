using TorchSharp;
using VimDense.Engine;
using static TorchSharp.torch;

namespace VimDense.Tests.Engine;

public class OptimizerAndScheduleTests
{
    [Fact]
    public void AdamWMatchesTorchAdamWPerGroup()
    {
        manual_seed(3);
        var a = nn.Linear(5, 4);
        var b = nn.Linear(5, 4);
        b.load_state_dict(a.state_dict());
        var groups = new List<ParameterGroup>
        {
            new("w", 0.5, 0.1, [("weight", a.weight)]),
            new("b", 1.0, 0.0, [("bias", a.bias!)]),
        };
        var ours = new AdamW(groups, 0.9, 0.98, 1e-8);
        var reference = optim.AdamW([
            new TorchSharp.Modules.AdamW.ParamGroup([b.weight], new TorchSharp.Modules.AdamW.Options { LearningRate = 0.01 * 0.5, weight_decay = 0.1 }),
            new TorchSharp.Modules.AdamW.ParamGroup([b.bias!], new TorchSharp.Modules.AdamW.Options { LearningRate = 0.01, weight_decay = 0.0 }),
        ], lr: 0.01, beta1: 0.9, beta2: 0.98, eps: 1e-8);
        for (var step = 0; step < 5; step++)
        {
            var x = randn(3, 5);
            ours.ZeroGrad();
            a.forward(x).square().sum().backward();
            ours.Step(0.01);
            reference.zero_grad();
            b.forward(x).square().sum().backward();
            reference.step();
        }
        Assert.True(a.weight.allclose(b.weight, rtol: 1e-5, atol: 1e-7));
        Assert.True(a.bias!.allclose(b.bias!, rtol: 1e-5, atol: 1e-7));
    }

    [Fact]
    public void WarmupThenPolyFollowsMmcv()
    {
        var s = new LearningRateSchedule(1e-4, 1000, "poly", Power: 1.0, WarmupIterations: 100, WarmupRatio: 1e-6);
        Assert.Equal(1e-4 * 1e-6, s.At(0), 15);
        // iteration 50: poly 1e-4·0.95, warmup factor 1 − 0.5·(1 − 1e-6)
        Assert.Equal(1e-4 * 0.95 * (1 - 0.5 * (1 - 1e-6)), s.At(50), 15);
        Assert.Equal(1e-4 * 0.9, s.At(100), 15);
        Assert.Equal(0, s.At(1000), 15);
        var cosine = new LearningRateSchedule(1.0, 100, "cosine", MinLr: 0.1);
        Assert.Equal(0.55, cosine.At(50), 12);
        var step = new LearningRateSchedule(1.0, 100, "step", Milestones: [30, 60], Gamma: 0.1);
        Assert.Equal(1.0, step.At(29), 12);
        Assert.Equal(0.01, step.At(60), 12);
        Assert.Throws<UserInputException>(() => new LearningRateSchedule(1, 10, "exp").At(1));
    }

    [Fact]
    public void EmaSwapExchangesAveragedAndLiveWeights()
    {
        var model = nn.Linear(2, 1);
        var before = model.weight.clone();
        var ema = new ExponentialMovingAverage(model, 0.5);
        using (no_grad()) model.weight.add_(2);
        ema.Update();
        ema.Swap();
        Assert.True(model.weight.allclose(before + 1));
        ema.Swap();
        Assert.True(model.weight.allclose(before + 2));
    }
}

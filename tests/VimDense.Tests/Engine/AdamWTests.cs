using TorchSharp;
using Linear = TorchSharp.Modules.Linear;
using VimDense.Engine;
using static TorchSharp.torch;

namespace VimDense.Tests.Engine;

/// <summary>
/// AdamW against torch.optim.AdamW's update rule, written out below in plain double arithmetic, on a model whose
/// side branch takes part in some steps only, with weight decay and groups of different lr scale and decay.
/// </summary>
[Collection(GlobalRngCollection.Name)]
public class AdamWTests
{
    private const double Beta1 = 0.9, Beta2 = 0.98, Eps = 1e-8;

    private sealed class Branchy : nn.Module<Tensor, bool, Tensor>
    {
        private readonly Linear trunk = nn.Linear(4, 3, dtype: float64), main = nn.Linear(3, 2, dtype: float64), side = nn.Linear(3, 2, dtype: float64);

        public Branchy() : base(nameof(Branchy)) => RegisterComponents();

        public override Tensor forward(Tensor x, bool useSide)
        {
            var hidden = trunk.forward(x).tanh();
            var y = main.forward(hidden);
            return useSide ? y + side.forward(hidden) : y;
        }
    }

    private static (Branchy Model, AdamW Optimizer) Build()
    {
        manual_seed(21);
        var model = new Branchy();
        var p = model.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        var groups = new List<ParameterGroup>
        {
            new("decay", 1.0, 0.05, [("trunk.weight", p["trunk.weight"]), ("main.weight", p["main.weight"])]),
            new("side", 0.5, 0.1, [("side.weight", p["side.weight"]), ("side.bias", p["side.bias"])]),
            new("bias", 2.0, 0.0, [("trunk.bias", p["trunk.bias"]), ("main.bias", p["main.bias"])]),
        };
        return (model, new AdamW(groups, Beta1, Beta2, Eps));
    }

    private static bool UsesSide(int step) => step % 3 == 1;
    private static double LearningRate(int step) => 0.01 * (1 - 0.1 * step);

    /// <summary>One training step; returns each parameter's gradient as seen by the optimizer (null: none).</summary>
    private static Dictionary<string, double[]?> TrainStep(Branchy model, AdamW optimizer, int step)
    {
        optimizer.ZeroGrad();
        var generator = new torch.Generator((ulong)(100 + step));
        var x = randn([5, 4], dtype: float64, generator: generator);
        model.forward(x, UsesSide(step)).square().sum().backward();
        var grads = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad?.data<double>().ToArray());
        optimizer.Step(LearningRate(step));
        return grads;
    }

    private static Dictionary<string, double[]> Values(nn.Module model) =>
        model.named_parameters().ToDictionary(p => p.name, p => p.parameter.data<double>().ToArray());

    [Fact]
    public void StepsFollowTorchAdamWAndSkipParametersWithoutAGradient()
    {
        var (model, optimizer) = Build();
        var initial = Values(model);
        var grads = new List<Dictionary<string, double[]?>>();
        for (var step = 0; step < 6; step++)
        {
            grads.Add(TrainStep(model, optimizer, step));
            if (step == 0)
            {
                // Unused in step 0: torch leaves it alone (no weight decay either), as does ours.
                Assert.Equal(initial["side.weight"], Values(model)["side.weight"]);
                Assert.Null(grads[0]["side.weight"]);
            }
        }

        // torch.optim.AdamW (_single_tensor_adamw, amsgrad off) in double precision, parameter by parameter.
        var expected = initial.ToDictionary(kv => kv.Key, kv => (double[])kv.Value.Clone());
        var m = initial.ToDictionary(kv => kv.Key, kv => new double[kv.Value.Length]);
        var v = initial.ToDictionary(kv => kv.Key, kv => new double[kv.Value.Length]);
        var t = initial.ToDictionary(kv => kv.Key, _ => 0);
        for (var step = 0; step < grads.Count; step++)
            foreach (var group in optimizer.Groups)
            {
                var lr = LearningRate(step) * group.LrScale;
                foreach (var (name, _) in group.Parameters)
                {
                    // The side branch takes no part in this step's backward: its gradient is none and torch skips it.
                    if (name.StartsWith("side.", StringComparison.Ordinal) && !UsesSide(step))
                    {
                        Assert.Null(grads[step][name]);
                        continue;
                    }
                    var g = grads[step][name]!;
                    t[name]++;
                    var (p, bias1, bias2) = (expected[name], 1 - Math.Pow(Beta1, t[name]), 1 - Math.Pow(Beta2, t[name]));
                    for (var i = 0; i < p.Length; i++)
                    {
                        p[i] *= 1 - lr * group.WeightDecay;
                        m[name][i] = Beta1 * m[name][i] + (1 - Beta1) * g[i];
                        v[name][i] = Beta2 * v[name][i] + (1 - Beta2) * g[i] * g[i];
                        p[i] -= lr / bias1 * m[name][i] / (Math.Sqrt(v[name][i]) / Math.Sqrt(bias2) + Eps);
                    }
                }
            }

        var actual = Values(model);
        foreach (var (name, values) in expected)
        {
            Assert.NotEqual(initial[name], actual[name]);
            for (var i = 0; i < values.Length; i++) Assert.True(Math.Abs(values[i] - actual[name][i]) < 1e-12, $"{name}[{i}]: {actual[name][i]} vs {values[i]}");
        }
        Assert.Equal(6, optimizer.StepOf("trunk.weight"));
        Assert.Equal(2, optimizer.StepOf("side.weight"));
        Assert.Equal(6, optimizer.Steps);
    }

    [Fact]
    public void RestoredStateContinuesBitIdenticallyWithPerParameterSteps()
    {
        var (straight, straightOptimizer) = Build();
        for (var step = 0; step < 6; step++) TrainStep(straight, straightOptimizer, step);

        var (first, firstOptimizer) = Build();
        for (var step = 0; step < 3; step++) TrainStep(first, firstOptimizer, step);
        var saved = firstOptimizer.StateTensors().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        var (second, secondOptimizer) = Build();
        second.load_state_dict(first.state_dict());
        secondOptimizer.LoadState(firstOptimizer.Steps, saved);
        Assert.Equal(1, secondOptimizer.StepOf("side.bias"));
        Assert.Equal(3, secondOptimizer.StepOf("main.bias"));
        for (var step = 3; step < 6; step++) TrainStep(second, secondOptimizer, step);

        Assert.Equal(Values(straight), Values(second));
    }

    [Fact]
    public void StateWithoutStepCountsGivesEveryParameterTheGlobalStep()
    {
        var (model, optimizer) = Build();
        for (var step = 0; step < 3; step++) TrainStep(model, optimizer, step);
        var legacy = optimizer.StateTensors().Where(kv => !kv.Key.StartsWith("step.", StringComparison.Ordinal)).ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        var (_, restored) = Build();
        restored.LoadState(3, legacy);
        Assert.All(restored.Groups.SelectMany(g => g.Parameters), p => Assert.Equal(3, restored.StepOf(p.Name)));
    }
}

using System.Diagnostics;
using System.Globalization;
using VimDense.Backbones;
using VimDense.Engine;
using VimDense.Ops;
using static TorchSharp.torch;

namespace VimDense.Cli.Bench;

/// <summary>
/// `bench backbone --profile`: where a Vim forward pass and a training step (forward + backward of the sum of the
/// feature maps) spend their time at a precision (under its autocast), per <see cref="OpCategory"/> (timed by <see cref="OpProfiler"/> scopes in the
/// Vim layers and native ops), against the GEMM roof measured in the same run: the same matrix products
/// (forward; for the step also their two backward products, dX = Wᵀ·dY and dW = dY·Xᵀ) timed alone.
/// </summary>
internal static class BackboneProfile
{
    private static readonly (OpCategory Category, string Label)[] Rows =
    [
        (OpCategory.Gemm, "GEMM (projections, patch embed)"),
        (OpCategory.Scan, "selective scan (native)"),
        (OpCategory.Conv1d, "conv1d + SiLU (native)"),
        (OpCategory.NormResidual, "norm + residual"),
        (OpCategory.Elementwise, "elementwise"),
        (OpCategory.Layout, "layout copies / views"),
        (OpCategory.Allocation, "allocation + freeing"),
        (OpCategory.AutogradOps, "autograd backward of libtorch ops"),
    ];

    public static void Run(string model, int size, int batch, Precision precision, int passes, int? depth, TextWriter output)
    {
        var lowType = Precisions.LowType(precision);
        using var autocast = Layers.Autocast.Enter(lowType);
        var backbone = BackboneFactory.Create(model, new VimOptions { Dense = true, ImgSize = size, Depth = depth });
        var module = backbone.Module;
        using var images = randn(batch, 3, size, size);

        module.eval();
        var (forward, forwardTotal, gemms) = Profile(passes, () =>
        {
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            backbone.ForwardIntermediates(images);
        });
        module.train();
        var (step, stepTotal, _) = Profile(passes, () =>
        {
            using var scope = NewDisposeScope();
            var maps = backbone.ForwardIntermediates(images);
            var loss = maps.Select(m => m.sum()).Aggregate((x, y) => x + y);
            using (OpProfiler.Scope(OpCategory.AutogradOps)) loss.backward();
            foreach (var p in module.parameters()) p.grad?.zero_();
        });

        var (roofForward, roofStep, flops) = GemmRoof(gemms, lowType ?? ScalarType.Float32);
        var c = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(c, $"{model} at {size}x{size}, batch {batch}, {Precisions.Name(precision)}, {get_num_threads()} threads; mean of {passes} profiled passes after a warm-up"));
        output.WriteLine($"{"category",-36} {"forward ms",11} {"%",6} {"train step ms",14} {"%",6}");
        double Sum(IReadOnlyDictionary<OpCategory, double> d) => d.Values.Sum();
        foreach (var (category, label) in Rows)
            output.WriteLine(string.Create(c, $"{label,-36} {1e3 * forward[category],11:0.00} {100 * forward[category] / forwardTotal,5:0.0}% {1e3 * step[category],14:0.00} {100 * step[category] / stepTotal,5:0.0}%"));
        var otherF = forwardTotal - Sum(forward);
        var otherS = stepTotal - Sum(step);
        output.WriteLine(string.Create(c, $"{"dispatch / other (unattributed)",-36} {1e3 * otherF,11:0.00} {100 * otherF / forwardTotal,5:0.0}% {1e3 * otherS,14:0.00} {100 * otherS / stepTotal,5:0.0}%"));
        output.WriteLine(string.Create(c, $"{"total",-36} {1e3 * forwardTotal,11:0.00} {"",6} {1e3 * stepTotal,14:0.00}"));
        output.WriteLine(string.Create(c,
            $"GEMM roof (the same {gemms.Count} products alone): forward {1e3 * roofForward:0.00} ms ({flops / 1e9:0.00} GFLOP, {flops / roofForward / 1e9:0.0} GFLOPS), train step {1e3 * roofStep:0.00} ms"));
        output.WriteLine(string.Create(c,
            $"forward / GEMM roof = {forwardTotal / roofForward:0.00}x; train step / GEMM roof = {stepTotal / roofStep:0.00}x; GEMM inside the forward runs at {100 * roofForward / forward[OpCategory.Gemm]:0}% of its roof speed"));
    }

    /// <summary>One warm-up, then <paramref name="passes"/> recorded passes: mean seconds per category and per pass, GEMMs of one pass.</summary>
    private static (IReadOnlyDictionary<OpCategory, double> Seconds, double Total, IReadOnlyList<GemmShape> Gemms) Profile(int passes, Action pass)
    {
        pass();
        OpProfiler.Start();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < passes; i++) pass();
        var total = clock.Elapsed.TotalSeconds / passes;
        var (seconds, gemms) = OpProfiler.Stop();
        return (seconds.ToDictionary(kv => kv.Key, kv => kv.Value / passes), total, gemms.Take(gemms.Count / passes).ToArray());
    }

    /// <summary>
    /// Seconds of the recorded GEMMs run alone, in the recorded order and each with its own operands (as the model
    /// has one weight per product, so caches are not warmer than in the model): forward, and forward plus both
    /// backward products; fastest of three replays, with operands of <paramref name="type"/> (the precision's GEMM
    /// type). Also the forward FLOP.
    /// </summary>
    private static (double Forward, double Step, double Flops) GemmRoof(IReadOnlyList<GemmShape> gemms, ScalarType type)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        Tensor Random(params long[] shape) => randn(shape, dtype: type);
        var forward = gemms.Select(g => (W: Random(g.M, g.K), X: Random(g.Batch, g.K, g.N))).ToArray();
        var backward = gemms.Select(g => (Wt: Random(g.K, g.M), Dy: Random(g.Batch, g.M, g.N), DyFlat: Random(g.M, g.Batch * g.N),
            Xt: Random(g.Batch * g.N, g.K))).ToArray();
        double Fastest(Action replay)
        {
            var best = double.MaxValue;
            for (var round = 0; round < 3; round++)
            {
                var clock = Stopwatch.StartNew();
                replay();
                best = Math.Min(best, clock.Elapsed.TotalSeconds);
            }
            return best;
        }
        var forwardSeconds = Fastest(() => { foreach (var (w, x) in forward) matmul(w, x).Dispose(); });
        var backwardSeconds = Fastest(() =>
        {
            foreach (var (wt, dy, dyFlat, xt) in backward)
            {
                matmul(wt, dy).Dispose();          // dX = Wᵀ·dY
                matmul(dyFlat, xt).Dispose();      // dW = dY·Xᵀ over the batch
            }
        });
        return (forwardSeconds, forwardSeconds + backwardSeconds, gemms.Sum(g => g.Flops));
    }
}

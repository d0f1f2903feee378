using System.Diagnostics;
using static TorchSharp.torch;

namespace VimDense.Cli.Bench;

/// <summary>
/// GFLOP/s of an n×n TorchSharp matmul in one element type (median of a few runs after a warm-up): printed beside the
/// bf16 rows of `bench train` so that a speed-up can be read against what this CPU's bf16 GEMM gives (AMX or not).
/// </summary>
internal static class MatmulProbe
{
    public static double Gflops(ScalarType type, int n = 1024, int repeats = 5)
    {
        using var scope = NewDisposeScope();
        var a = randn(n, n).to_type(type);
        var b = randn(n, n).to_type(type);
        matmul(a, b).Dispose();
        var times = new List<double>();
        for (var i = 0; i < repeats; i++)
        {
            var watch = Stopwatch.StartNew();
            matmul(a, b).Dispose();
            times.Add(watch.Elapsed.TotalSeconds);
        }
        times.Sort();
        return 2.0 * n * n * n / times[repeats / 2] / 1e9;
    }
}

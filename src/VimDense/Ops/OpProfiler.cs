using System.Diagnostics;

namespace VimDense.Ops;

/// <summary>
/// Wall-clock time per <see cref="OpCategory"/>, for `vimdense bench backbone --profile`. Off by default: then
/// <see cref="Scope"/> returns an empty struct and costs one static read. On, scopes are exclusive (a nested scope
/// pauses its parent), so the categories add up to at most the measured total; the rest is dispatch and other
/// managed overhead. One global stack (not per thread) because CPU work is serial here: the caller blocks while
/// the autograd engine runs the native backward callbacks on its own thread, and those must pause the caller's scope.
/// GEMM shapes are recorded so the bench can replay the same products alone (the GEMM roof).
/// </summary>
public static class OpProfiler
{
    private static readonly object Gate = new();
    private static readonly Stack<(OpCategory Category, long Start)> Open = new();
    private static readonly double[] Seconds = new double[Enum.GetValues<OpCategory>().Length];
    private static readonly List<GemmShape> Gemms = [];

    /// <summary>Whether scopes record anything.</summary>
    public static bool Enabled { get; private set; }

    /// <summary>Turns recording on and clears what was recorded.</summary>
    public static void Start()
    {
        lock (Gate)
        {
            Array.Clear(Seconds);
            Gemms.Clear();
            Open.Clear();
            Enabled = true;
        }
    }

    /// <summary>Turns recording off and returns the seconds per category and the GEMMs seen, in call order.</summary>
    public static (IReadOnlyDictionary<OpCategory, double> Seconds, IReadOnlyList<GemmShape> Gemms) Stop()
    {
        lock (Gate)
        {
            Enabled = false;
            var seconds = Enum.GetValues<OpCategory>().ToDictionary(c => c, c => Seconds[(int)c]);
            return (seconds, Gemms.ToArray());
        }
    }

    /// <summary>Times the code until the returned scope is disposed under <paramref name="category"/>.</summary>
    public static ProfileScope Scope(OpCategory category)
    {
        if (!Enabled) return default;
        lock (Gate)
        {
            var now = Stopwatch.GetTimestamp();
            if (Open.TryPeek(out var parent)) Seconds[(int)parent.Category] += Elapsed(parent.Start, now);
            Open.Push((category, now));
        }
        return new ProfileScope(true);
    }

    /// <summary>Records one (batch of) matrix product(s) (M×K)·(K×N), for the GEMM-roof replay.</summary>
    public static void RecordGemm(long m, long k, long n, long batch = 1)
    {
        if (!Enabled) return;
        lock (Gate) Gemms.Add(new GemmShape(m, k, n, batch));
    }

    internal static void Close()
    {
        lock (Gate)
        {
            if (!Open.TryPop(out var scope)) return;        // Start() cleared the stack while the scope was open
            var now = Stopwatch.GetTimestamp();
            Seconds[(int)scope.Category] += Elapsed(scope.Start, now);
            if (Open.TryPop(out var parent)) Open.Push((parent.Category, now));
        }
    }

    private static double Elapsed(long from, long to) => (to - from) / (double)Stopwatch.Frequency;
}

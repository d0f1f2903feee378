using System.Diagnostics;

namespace VimDense.Engine.Logging;

/// <summary>
/// A one-line progress display on stderr: iteration, percentage, elapsed time, ETA and iterations per second from
/// the mean iteration time since (re)start, and caller-supplied fields (loss, learning rate). Redrawn in place on a terminal, printed as
/// separate lines (every <c>lineInterval</c> iterations) when stderr is redirected.
/// </summary>
public sealed class ProgressBar(long total, long start, TextWriter? output = null, int lineInterval = 10)
{
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly TextWriter output = output ?? Console.Error;
    private readonly bool interactive = output is null && !Console.IsErrorRedirected;

    public void Report(long iteration, string fields)
    {
        var done = iteration - start;
        if (!interactive && iteration % lineInterval != 0 && iteration != total) return;
        var perIteration = done > 0 ? clock.Elapsed.TotalSeconds / done : 0;
        var eta = TimeSpan.FromSeconds(perIteration * (total - iteration));
        var percent = 100.0 * iteration / Math.Max(total, 1);
        var width = 24;
        var filled = (int)(width * iteration / Math.Max(total, 1));
        var bar = new string('#', filled) + new string('.', width - filled);
        var rate = perIteration > 0 ? 1 / perIteration : 0;
        var line = $"[{bar}] {iteration}/{total} {percent,5:F1}% {Format(clock.Elapsed)}<{Format(eta)} {rate:F2} it/s {fields}".TrimEnd();
        if (interactive) output.Write("\r" + line.PadRight(Console.BufferWidth > 0 ? Math.Min(Console.BufferWidth - 1, 160) : 120));
        else output.WriteLine(line);
    }

    public void Finish()
    {
        if (interactive) output.WriteLine();
    }

    private static string Format(TimeSpan t) => t.TotalHours >= 1 ? $"{(int)t.TotalHours}:{t.Minutes:D2}:{t.Seconds:D2}" : $"{t.Minutes:D2}:{t.Seconds:D2}";
}

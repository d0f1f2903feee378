using System.Diagnostics;

namespace VimDense.Engine.Logging;

/// <summary>
/// mmseg's IterTimerHook numbers for the training log: seconds per iteration (<c>time</c>) and the part of it spent
/// waiting for the data loader (<c>data_time</c>), both averaged over the iterations since the last log line, and the
/// process's peak resident memory in MB (<c>memory</c>; on CPU the resident set is what the model, activations and
/// loader buffers use).
/// </summary>
public sealed class IterationTimer
{
    private long lapStart = Stopwatch.GetTimestamp();
    private double dataSeconds, windowSeconds, windowDataSeconds;
    private int windowIterations;

    /// <summary>Seconds of the last finished iteration.</summary>
    public double LastSeconds { get; private set; }

    /// <summary>Seconds the last finished iteration waited for its batches.</summary>
    public double LastDataSeconds { get; private set; }

    /// <summary>Starts an iteration's clock.</summary>
    public void Start()
    {
        lapStart = Stopwatch.GetTimestamp();
        dataSeconds = 0;
    }

    /// <summary>Fetches a batch, counting the wait as data time of the current iteration.</summary>
    public T Data<T>(Func<T> next)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            return next();
        }
        finally
        {
            dataSeconds += Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
    }

    /// <summary>Ends the current iteration.</summary>
    public void EndIteration()
    {
        LastSeconds = Stopwatch.GetElapsedTime(lapStart).TotalSeconds;
        LastDataSeconds = dataSeconds;
        windowSeconds += LastSeconds;
        windowDataSeconds += dataSeconds;
        windowIterations++;
        dataSeconds = 0;
    }

    /// <summary>
    /// <c>time</c> and <c>data_time</c> averaged over the iterations since the last call, and <c>memory</c> (left out
    /// where the peak resident set cannot be read); starts a new averaging window.
    /// </summary>
    public Dictionary<string, double> TakeWindow()
    {
        var n = Math.Max(1, windowIterations);
        var values = new Dictionary<string, double> { ["time"] = windowSeconds / n, ["data_time"] = windowDataSeconds / n };
        if (ProcessMemory.PeakResidentMegabytes() is { } memory) values["memory"] = Math.Round(memory);
        (windowSeconds, windowDataSeconds, windowIterations) = (0, 0, 0);
        return values;
    }

    /// <summary>The progress line's part: the last iteration's data time and the peak memory.</summary>
    public string ProgressFields() =>
        $"data {LastDataSeconds:F3}s" + (ProcessMemory.PeakResidentMegabytes() is { } memory ? $" mem {memory:F0}MB" : "");
}

using System.Diagnostics;
using VimDense.Engine.Logging;
using static TorchSharp.torch;

namespace VimDense.Cli.Bench;

/// <summary>
/// The measurement loop every throughput bench point shares: reset the peak-memory counter, one warm-up pass, then
/// timed passes until both minimums are met; the median pass time (robust to bursts of load from other processes)
/// and the memory growth over the resident set right before the passes (CPU: VmHWM − VmRSS; CUDA: GPU memory the
/// process holds, read with nvidia-smi, as the caching allocator keeps its peak reserved).
/// </summary>
internal static class BenchTiming
{
    public static (double Seconds, int Iterations, double PeakMiB, double BaselineMiB) Measure(Action pass, bool isCuda, int minIterations, double minSeconds)
    {
        if (!isCuda) ProcessMemory.ResetPeak();
        var baseline = isCuda ? GpuProcessMemoryBytes() : ProcessMemory.ResidentBytes();
        using var noGrad = no_grad();
        pass();                                                          // warm-up: thread pools, allocator, kernels
        if (isCuda) cuda.synchronize();
        var times = new List<double>();
        var clock = Stopwatch.StartNew();
        while (times.Count < minIterations || clock.Elapsed.TotalSeconds < minSeconds)
        {
            var timed = Stopwatch.StartNew();
            pass();
            if (isCuda) cuda.synchronize();
            times.Add(timed.Elapsed.TotalSeconds);
        }
        times.Sort();
        var seconds = times.Count % 2 == 1 ? times[times.Count / 2] : (times[times.Count / 2 - 1] + times[times.Count / 2]) / 2;
        var peak = isCuda ? GpuProcessMemoryBytes() : ProcessMemory.PeakResidentBytes();
        return (seconds, times.Count, (peak - baseline) / 1048576.0, baseline / 1048576.0);
    }

    /// <summary>GPU memory held by this process according to nvidia-smi (0 where nvidia-smi is missing).</summary>
    private static long GpuProcessMemoryBytes()
    {
        try
        {
            var info = new ProcessStartInfo("nvidia-smi", "--query-compute-apps=pid,used_memory --format=csv,noheader,nounits")
            { RedirectStandardOutput = true, UseShellExecute = false };
            using var process = Process.Start(info)!;
            var text = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            var pid = Environment.ProcessId.ToString();
            var line = text.Split('\n').FirstOrDefault(l => l.Split(',')[0].Trim() == pid);
            return line is null ? 0 : long.Parse(line.Split(',')[1].Trim()) * 1048576;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return 0;
        }
    }
}

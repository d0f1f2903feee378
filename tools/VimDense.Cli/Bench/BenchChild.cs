using System.Diagnostics;

namespace VimDense.Cli.Bench;

/// <summary>
/// Runs one bench point in a fresh child process of this same program (so peaks of different points never mix) and
/// returns the JSON line it prints last.
/// </summary>
internal static class BenchChild
{
    /// <param name="memoryRun">
    /// a memory run: a fixed glibc mmap threshold returns every freed tensor to the OS at once, so the peak resident
    /// set measures live tensors rather than heap fragmentation (timing runs keep the default allocator settings)
    /// </param>
    public static string Run(IEnumerable<string> args, bool memoryRun, string what)
    {
        var info = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (memoryRun && Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_") is null) info.Environment["MALLOC_MMAP_THRESHOLD_"] = "131072";
        var processPath = Environment.ProcessPath ?? "dotnet";
        if (Path.GetFileNameWithoutExtension(processPath) == "vimdense") info.FileName = processPath;
        else
        {
            info.FileName = Path.GetFileNameWithoutExtension(processPath) == "dotnet" ? processPath : "dotnet";
            info.ArgumentList.Add(typeof(BenchChild).Assembly.Location);
        }
        foreach (var arg in args) info.ArgumentList.Add(arg);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the bench child process");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var json = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault(l => l.TrimStart().StartsWith('{'));
        if (process.ExitCode != 0 || json is null)
            throw new InvalidOperationException($"bench point {what} failed (exit {process.ExitCode}): {stderr.Result.Trim()}");
        return json;
    }
}

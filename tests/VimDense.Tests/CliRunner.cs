using System.Diagnostics;
using System.Reflection;

namespace VimDense.Tests;

/// <summary>
/// Runs the built `vimdense` command (or another program of the solution) as a child process, capturing its exit
/// code, stdout and stderr. The test project builds the programs first and records their paths at build time.
/// </summary>
public static class CliRunner
{
    /// <summary>vimdense.dll as built with the tests.</summary>
    public static string CliPath => ProgramPath("VimDenseCliPath");

    public static (int Code, string Stdout, string Stderr) Run(params string[] args) => RunProgram(CliPath, args);

    /// <summary>Runs <paramref name="assemblyPath"/> with the dotnet host that runs the tests.</summary>
    public static (int Code, string Stdout, string Stderr) RunProgram(string assemblyPath, IEnumerable<string> args, string? workingDirectory = null)
    {
        // One child at a time: each uses every core, and two at once on a small machine only slow both.
        lock (OneAtATime) return RunAlone(assemblyPath, args, workingDirectory);
    }

    private static readonly object OneAtATime = new();

    private static (int Code, string Stdout, string Stderr) RunAlone(string assemblyPath, IEnumerable<string> args, string? workingDirectory)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Directory.GetCurrentDirectory(),
        };
        start.ArgumentList.Add(assemblyPath);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {assemblyPath}");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout, stderr.Result);
    }

    /// <summary>
    /// Runs the CLI (alone, as <see cref="Run"/>) in <paramref name="workingDirectory"/>, sampling the child's peak
    /// resident memory (VmHWM) until it exits; a run past <paramref name="timeLimit"/> is killed.
    /// </summary>
    public static (int Code, string Stdout, string Stderr, long PeakBytes, TimeSpan Elapsed) RunMeasured(
        IEnumerable<string> args, TimeSpan timeLimit, string? workingDirectory = null)
    {
        lock (OneAtATime)
        {
            var start = new ProcessStartInfo(DotnetHost())
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = workingDirectory ?? Directory.GetCurrentDirectory(),
            };
            start.ArgumentList.Add(CliPath);
            foreach (var arg in args) start.ArgumentList.Add(arg);
            var clock = Stopwatch.StartNew();
            using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start the CLI");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            long peak = 0;
            while (!process.WaitForExit(5))
            {
                peak = Math.Max(peak, PeakResidentBytes(process.Id));
                if (clock.Elapsed > timeLimit)
                {
                    process.Kill(entireProcessTree: true);
                    break;
                }
            }
            process.WaitForExit();
            return (process.ExitCode, stdout.Result, stderr.Result, peak, clock.Elapsed);
        }
    }

    private static long PeakResidentBytes(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0]) * 1024;
        }
        catch (IOException)
        {
            return 0; // exited between the check and the read
        }
    }

    /// <summary>A program's path recorded by the test project's VdProgramPaths target.</summary>
    public static string ProgramPath(string key)
    {
        var path = typeof(CliRunner).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value;
        if (string.IsNullOrEmpty(path) || !File.Exists(path))
            throw new FileNotFoundException($"{key}: '{path}' not found; build the solution (dotnet build VimDense.sln) before running the tests");
        return path;
    }

    // `dotnet test` tells its children which host it runs on; else the test host itself is dotnet, or PATH has it.
    internal static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host
        : Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath!
        : "dotnet";
}

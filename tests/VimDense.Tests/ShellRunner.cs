using System.Diagnostics;

namespace VimDense.Tests;

/// <summary>
/// Runs a repository shell script with bash as a user's shell would: SIGPIPE at its default action. A .NET process
/// ignores SIGPIPE and children inherit that, which hides pipelines that die of it from a terminal (exit 141);
/// <c>env --default-signal=PIPE</c> (coreutils ≥ 8.31) restores the default before bash starts.
/// </summary>
public static class ShellRunner
{
    public static (int Code, string Stdout, string Stderr) Run(
        string scriptRelativeToRepo, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("env")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = TestPaths.RepoRoot,
        };
        foreach (var arg in (string[])["--default-signal=PIPE", "bash", Path.Combine(TestPaths.RepoRoot, scriptRelativeToRepo), .. args])
            start.ArgumentList.Add(arg);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start bash {scriptRelativeToRepo}");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout, stderr.Result);
    }
}

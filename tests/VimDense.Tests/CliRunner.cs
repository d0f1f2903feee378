using VimDense.Cli;

namespace VimDense.Tests;

/// <summary>Runs the `vimdense` command in-process, capturing its exit code, stdout and stderr.</summary>
public static class CliRunner
{
    private static readonly object ConsoleLock = new();

    public static (int Code, string Stdout, string Stderr) Run(params string[] args)
    {
        lock (ConsoleLock)
        {
            var (oldOut, oldErr) = (Console.Out, Console.Error);
            using var stdout = new StringWriter();
            using var stderr = new StringWriter();
            Console.SetOut(stdout);
            Console.SetError(stderr);
            try { return (CliApp.Run(args), stdout.ToString(), stderr.ToString()); }
            finally
            {
                Console.SetOut(oldOut);
                Console.SetError(oldErr);
            }
        }
    }
}

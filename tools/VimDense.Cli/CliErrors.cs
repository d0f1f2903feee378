using System.Reflection;
using VimDense.Engine;

namespace VimDense.Cli;

/// <summary>
/// The CLI's one error path: turns any exception that ends a command into one line "vimdense: ..." and an
/// <see cref="ExitCodes"/> code. The stack trace is printed only with --debug.
/// </summary>
public static class CliErrors
{
    /// <summary>Prints <paramref name="error"/> to <paramref name="stderr"/> and returns its exit code.</summary>
    public static int Report(Exception error, TextWriter stderr, bool debug)
    {
        var e = Unwrap(error);
        var code = CodeOf(e);
        var text = OneLine(e.Message);
        var line = code switch
        {
            ExitCodes.NonFiniteTraining => $"training stopped: {text}",
            ExitCodes.InternalError => $"internal error: {e.GetType().Name}: {text}" + (debug ? "" : " (run with --debug for the stack trace)"),
            _ => text,
        };
        stderr.WriteLine($"vimdense: {line}");
        if (debug) stderr.WriteLine(error.ToString());
        return code;
    }

    /// <summary>The exit code of an exception (after unwrapping reflection and aggregate wrappers).</summary>
    public static int CodeOf(Exception e) => Unwrap(e) switch
    {
        TrainingDivergedException => ExitCodes.NonFiniteTraining,
        // Input errors first: FileNotFound, DirectoryNotFound and EndOfStream are IOExceptions about the input.
        UserInputException or ArgumentException or FileNotFoundException or DirectoryNotFoundException or EndOfStreamException
            or InvalidDataException or FormatException or NotSupportedException or DllNotFoundException
            or Newtonsoft.Json.JsonException or KeyNotFoundException => ExitCodes.InputError,
        IOException or UnauthorizedAccessException => ExitCodes.IoError,
        _ => ExitCodes.InternalError,
    };

    private static Exception Unwrap(Exception e)
    {
        while (true)
        {
            switch (e)
            {
                case TargetInvocationException { InnerException: { } inner }: e = inner; break;
                case AggregateException { InnerExceptions.Count: 1 } aggregate: e = aggregate.InnerExceptions[0]; break;
                default: return e;
            }
        }
    }

    /// <summary>The message on one line, clipped so that a hostile input cannot print megabytes.</summary>
    private static string OneLine(string message)
    {
        const int MaxLength = 2000;
        var text = message.ReplaceLineEndings(" ").Trim();
        return text.Length <= MaxLength ? text : text[..MaxLength] + "…";
    }
}

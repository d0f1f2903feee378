namespace VimDense.Cli;

/// <summary>
/// The exit codes of `vimdense` (also listed in `vimdense --help` and the README): every failure ends with one line
/// "vimdense: ..." on stderr naming the file or field, and one of these codes.
/// </summary>
public static class ExitCodes
{
    public const int Success = 0;
    /// <summary>Bad input found while running: a missing or corrupt file, a config field out of range, an unknown key.</summary>
    public const int InputError = 1;
    /// <summary>A command line that does not parse (unknown command, bad option).</summary>
    public const int UsageError = 2;
    /// <summary>Training stopped because the loss, a parameter or a buffer became NaN or infinite; nothing broken was saved.</summary>
    public const int NonFiniteTraining = 3;
    /// <summary>Reading or writing failed: disk full, permission denied, an output path that is a directory.</summary>
    public const int IoError = 4;
    /// <summary>A bug in VimDense (any other exception); `--debug` prints its stack trace.</summary>
    public const int InternalError = 70;

    /// <summary>The help text's paragraph on exit codes.</summary>
    public const string Help =
        "Exit codes: 0 success, 1 bad input (file, config field), 2 usage, 3 training stopped on non-finite values, " +
        "4 I/O failure (disk full, permission denied, output is a directory), 70 internal error. " +
        "Errors are one line on stderr; --debug (any position) also prints the stack trace.";
}

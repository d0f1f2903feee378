namespace VimDense;

/// <summary>
/// Bad input from the user (a file, a config field, a command-line value): the message names the
/// file or field and what was expected, and the CLI prints it as one line with a non-zero exit code.
/// </summary>
public sealed class UserInputException(string message, Exception? inner = null) : Exception(message, inner);

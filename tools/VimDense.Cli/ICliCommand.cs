using System.CommandLine;

namespace VimDense.Cli;

/// <summary>
/// One `vimdense` command. Every non-abstract implementation in this assembly is found by
/// <see cref="CliApp"/>, so adding a command means adding one file.
/// </summary>
public interface ICliCommand
{
    /// <summary>Name of the group this command belongs to (e.g. "bench"), or null for a top-level one.</summary>
    string? Group => null;

    /// <summary>Builds the command with its options and action.</summary>
    Command Build();
}

namespace VimDense.Tests.Hostile;

/// <summary>
/// One careless or hostile input run through the CLI: <see cref="Prepare"/> writes its small files into the case's
/// folder and returns the command line; the run must end with <see cref="ExitCode"/> and a last stderr line
/// "vimdense: ..." containing <see cref="Expected"/>. Only <see cref="WorkDir"/> (relative to the case folder, or
/// null for none) may change on disk.
/// </summary>
internal sealed record HostileInput(string Name, Func<HostileSandbox, string, string[]> Prepare, int ExitCode, string Expected, string? WorkDir = null);

namespace VimDense.Checkpoints;

/// <summary>What happened when a state dict was loaded into a module.</summary>
/// <param name="Missing">Parameters/buffers of the module the checkpoint did not provide.</param>
/// <param name="Unexpected">Checkpoint entries the module has no place for.</param>
/// <param name="ShapeMismatched">Entries present on both sides with different shapes (not loaded).</param>
/// <param name="Adapted">Entries changed on the way in (e.g. "pos_embed: resized 14x14 -> 32x32").</param>
public sealed record LoadReport(
    IReadOnlyList<string> Missing,
    IReadOnlyList<string> Unexpected,
    IReadOnlyList<string> ShapeMismatched,
    IReadOnlyList<string> Adapted)
{
    public bool IsClean => Missing.Count == 0 && Unexpected.Count == 0 && ShapeMismatched.Count == 0;

    /// <summary>One line per problem, for logs and --strict errors.</summary>
    public override string ToString() =>
        $"missing {Missing.Count} [{string.Join(", ", Missing.Take(8))}], " +
        $"unexpected {Unexpected.Count} [{string.Join(", ", Unexpected.Take(8))}], " +
        $"shape-mismatched {ShapeMismatched.Count} [{string.Join(", ", ShapeMismatched.Take(8))}]";
}

namespace VimDense.Tests.Engine;

/// <summary>
/// Tests that measure the C allocator's process-wide state (heap in use, where blocks come from) or change it run
/// alone: other test classes allocating and freeing beside them would move the numbers.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocatorCollection
{
    public const string Name = "C allocator";
}

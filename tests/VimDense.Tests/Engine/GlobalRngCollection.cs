namespace VimDense.Tests.Engine;

/// <summary>
/// Tests that depend on TorchSharp's process-wide RNG (dropout, bit-identical resume) run alone: xunit runs other
/// test classes in parallel, and their manual_seed/rand calls would interleave with ours.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalRngCollection
{
    public const string Name = "torch global RNG";
}

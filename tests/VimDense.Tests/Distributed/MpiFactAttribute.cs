namespace VimDense.Tests.Distributed;

/// <summary>
/// A test that starts ranks through Open MPI's mpirun (installed by setup.sh); reported as skipped, and so counted
/// in the skipped total, on a machine without mpirun on PATH.
/// </summary>
public sealed class MpiFactAttribute : FactAttribute
{
    public MpiFactAttribute()
    {
        if (!MpirunAvailable.Value) Skip = "needs Open MPI's mpirun on PATH (apt-get install openmpi-bin, or ./setup.sh)";
    }

    internal static readonly Lazy<bool> MpirunAvailable = new(() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, "mpirun"))));
}

/// <summary>The theory form of <see cref="MpiFactAttribute"/>.</summary>
public sealed class MpiTheoryAttribute : TheoryAttribute
{
    public MpiTheoryAttribute()
    {
        if (!MpiFactAttribute.MpirunAvailable.Value) Skip = "needs Open MPI's mpirun on PATH (apt-get install openmpi-bin, or ./setup.sh)";
    }
}

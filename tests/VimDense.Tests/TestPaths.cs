namespace VimDense.Tests;

/// <summary>Where the repository and the shared reference fixtures are.</summary>
public static class TestPaths
{
    /// <summary>The repository root (the folder holding VimDense.sln).</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>
    /// <c>../shared/fixtures</c> beside the repository (as CI lays it out), or <c>VIMDENSE_FIXTURES</c>.
    /// Missing fixtures fail the tests that need them: they are never silently skipped.
    /// </summary>
    public static string Fixtures
    {
        get
        {
            var dir = Environment.GetEnvironmentVariable("VIMDENSE_FIXTURES")
                      ?? Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "fixtures"));
            if (!Directory.Exists(dir))
                throw new DirectoryNotFoundException($"reference fixtures not found at {dir} (set VIMDENSE_FIXTURES)");
            return dir;
        }
    }

    public static string Fixture(params string[] parts) => Path.Combine([Fixtures, .. parts]);

    /// <summary>A fresh empty folder under the system temp directory.</summary>
    public static string NewTempDir(string prefix = "vimdense-test")
    {
        var dir = Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "VimDense.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("VimDense.sln not found above " + AppContext.BaseDirectory);
    }
}

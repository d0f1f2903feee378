using Xunit.Abstractions;

namespace VimDense.Tests.Hostile;

/// <summary>
/// Every case of <see cref="HostileInputCorpus"/>, run through the CLI, ends with one line "vimdense: ..." naming what
/// was wrong and the documented exit code, without a stack trace, in bounded time and memory, and changes nothing on
/// disk outside its work directory (a user's folder is never written over). A baseline tiny training run (which
/// also makes the good checkpoint the checkpoint cases break) and a run that skips a bad sample must succeed.
/// </summary>
public class HostileInputCorpusTests(ITestOutputHelper output)
{
    private static readonly TimeSpan TimeLimit = TimeSpan.FromSeconds(120);
    private const long PeakLimitBytes = 1536L << 20;

    [Fact]
    public void TheCliRefusesEveryCaseCleanly()
    {
        var sandbox = new HostileSandbox(TestPaths.NewTempDir("vimdense-hostile-input"));
        var baseline = CliRunner.RunMeasured(["train", sandbox.Config, "--work-dir", Path.Combine(sandbox.Root, "good")], TimeLimit, sandbox.Root);
        Assert.True(baseline.Code == 0, $"baseline training: exit {baseline.Code}: {baseline.Stderr}");
        Assert.True(File.Exists(sandbox.GoodCheckpoint));

        long highest = 0;
        foreach (var hostile in HostileInputCorpus.Cases)
        {
            var dir = Directory.CreateDirectory(Path.Combine(sandbox.Cases, hostile.Name)).FullName;
            var args = hostile.Prepare(sandbox, dir);
            var before = Snapshot(sandbox.Root, hostile.WorkDir is null ? null : Path.Combine(dir, hostile.WorkDir));
            var (code, stdout, stderr, peak, elapsed) = CliRunner.RunMeasured(args, TimeLimit, dir);
            var what = $"{hostile.Name} ({string.Join(' ', args.Take(2))})";
            Assert.True(code == hostile.ExitCode, $"{what}: exit {code}, expected {hostile.ExitCode}; stderr: {Clip(stderr)}");
            Assert.DoesNotContain("   at ", stderr);
            Assert.DoesNotContain("frame #", stderr); // libtorch's trace
            var last = stderr.TrimEnd().Split('\n')[^1];
            Assert.True(last.StartsWith("vimdense: ", StringComparison.Ordinal), $"{what}: last stderr line is not the error: {Clip(stderr)}");
            Assert.True(last.Contains(hostile.Expected, StringComparison.Ordinal), $"{what}: expected '{hostile.Expected}' in: {last}");
            Assert.True(last.Length < 1000, $"{what}: a {last.Length}-character error line");
            Assert.Equal("", stdout);
            Assert.True(elapsed < TimeLimit, $"{what}: took {elapsed}");
            Assert.True(peak < PeakLimitBytes, $"{what}: peak resident memory {peak >> 20} MiB");
            var after = Snapshot(sandbox.Root, hostile.WorkDir is null ? null : Path.Combine(dir, hostile.WorkDir));
            var changed = after.Except(before).Concat(before.Except(after)).ToList();
            Assert.True(changed.Count == 0, $"{what}: changed outside its work dir: {string.Join("; ", changed.Take(5))}");
            highest = Math.Max(highest, peak);
        }
        Assert.Empty(Directory.GetFiles(sandbox.Root, ".*.tmp", SearchOption.AllDirectories));
        output.WriteLine($"hostile input corpus: {HostileInputCorpus.Cases.Count} cases refused through the CLI, peak resident memory {highest >> 20} MiB");
    }

    [Fact]
    public void SkippingBadSamplesTrainsOnAndCountsThem()
    {
        var sandbox = new HostileSandbox(TestPaths.NewTempDir("vimdense-hostile-skip"));
        File.Delete(Directory.GetFiles(Path.Combine(sandbox.Ade, "annotations", "training")).Order().First());
        var (code, _, stderr, _, _) = CliRunner.RunMeasured(
            ["train", sandbox.Config, "--work-dir", Path.Combine(sandbox.Root, "w"), "--set", "data.on_bad_sample=skip", "--set", "schedule.iterations=1"],
            TimeLimit, sandbox.Root);
        Assert.True(code == 0, $"exit {code}: {Clip(stderr)}");
        Assert.Contains("data: 1 training image(s) without an annotation skipped (data.on_bad_sample=skip)", stderr);
    }

    [Fact]
    public void DebugAddsTheStackTraceAndHelpListsTheExitCodes()
    {
        var missing = Path.Combine(TestPaths.NewTempDir(), "missing.json");
        var (code, _, stderr) = CliRunner.Run("train", missing, "--debug");
        Assert.Equal(1, code);
        Assert.StartsWith($"vimdense: config {missing} not found", stderr);
        Assert.Contains("   at ", stderr);
        var help = CliRunner.Run("--help");
        Assert.Equal(0, help.Code);
        Assert.Contains("3 training stopped on non-finite values", help.Stdout);
        Assert.Contains("70 internal error", help.Stdout);
    }

    /// <summary>Every file and folder under <paramref name="root"/> with its size and write time, except under <paramref name="allowed"/>.</summary>
    private static List<string> Snapshot(string root, string? allowed) =>
        new DirectoryInfo(root).EnumerateFileSystemInfos("*", SearchOption.AllDirectories)
            .Where(info => allowed is null || !(info.FullName + "/").StartsWith(allowed + "/", StringComparison.Ordinal))
            .Select(info => info is FileInfo { LinkTarget: null } file ? $"{file.FullName} {file.Length} {file.LastWriteTimeUtc.Ticks}" : info.FullName)
            .Order(StringComparer.Ordinal).ToList();

    private static string Clip(string text) => text.Length <= 3000 ? text : text[..1000] + " ... " + text[^2000..];
}

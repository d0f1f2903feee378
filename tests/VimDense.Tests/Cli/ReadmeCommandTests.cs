using System.Text.RegularExpressions;

namespace VimDense.Tests.Cli;

/// <summary>
/// Every `tools/vimdense …` command line of README.md and configs/README.md parses as written (command, options,
/// config files; `vimdense --check-command-lines`), and the cheap ones (doctor, print-config, complexity of a demo
/// config) run as written, from the repository root, with exit code 0.
/// </summary>
public partial class ReadmeCommandTests
{
    private static readonly string[] Documents = ["README.md", Path.Combine("configs", "README.md")];

    /// <summary>
    /// The documented lines, as concrete command lines: in a table `a\|b` offers alternatives (the first is taken),
    /// `[…]` marks an optional part (kept), "..." a repeatable one and "…" a value left out (a placeholder word).
    /// </summary>
    internal static List<(string Document, string Line)> DocumentedCommandLines()
    {
        var lines = new List<(string, string)>();
        foreach (var document in Documents)
        {
            var text = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, document));
            var inFence = false;
            foreach (var raw in text.Split('\n'))
            {
                if (raw.TrimStart().StartsWith("```", StringComparison.Ordinal)) { inFence = !inFence; continue; }
                var spans = inFence ? [raw] : InlineCode().Matches(raw).Select(m => m.Groups[1].Value);
                foreach (var span in spans)
                {
                    var start = span.IndexOf("tools/vimdense ", StringComparison.Ordinal);
                    if (start >= 0) lines.Add((document, Concrete(span[start..])));
                }
            }
        }
        return lines;
    }

    private static string Concrete(string line)
    {
        line = line.Split(" #")[0];                                            // a shell comment in a code block
        line = Alternatives().Replace(line, m => m.Groups[1].Value);           // a\|b\|c → a
        line = line.Replace("[", "").Replace("]", "").Replace("...", "").Replace("…", "PLACEHOLDER");
        return Regex.Replace(line, @"\s+", " ").Trim();
    }

    [Fact]
    public void EveryDocumentedCommandLineParses()
    {
        var lines = DocumentedCommandLines();
        Assert.True(lines.Count >= 25, $"only {lines.Count} command lines found in {string.Join(", ", Documents)}");
        var file = Path.Combine(TestPaths.NewTempDir(), "lines.txt");
        File.WriteAllLines(file, lines.Select(l => l.Line));
        var (code, stdout, stderr) = CliRunner.RunProgram(CliRunner.CliPath, ["--check-command-lines", file], TestPaths.RepoRoot);
        Assert.True(code == 0, $"{stderr}\n{string.Join('\n', stdout.Split('\n').Where(l => l.StartsWith("FAIL", StringComparison.Ordinal)))}");
        Assert.Equal(lines.Count, stdout.Split('\n').Count(l => l.StartsWith("ok ", StringComparison.Ordinal)));
    }

    [Fact]
    public void TheCheckFindsUnknownOptionsCommandsAndMissingConfigs()
    {
        var file = Path.Combine(TestPaths.NewTempDir(), "lines.txt");
        File.WriteAllLines(file, [
            "tools/vimdense print-config configs/demo/upernet_vim_tiny_synthetic.json --json-please",
            "tools/vimdense trian configs/demo/upernet_vim_tiny_synthetic.json",
            "tools/vimdense print-config configs/demo/no_such_config.json",
            "tools/vimdense launch --nproc 2 -- train configs/demo/missing.json",
            "tools/vimdense complexity configs/demo/upernet_vim_tiny_synthetic.json --size 512 schedule.iterations=3",
        ]);
        var (code, stdout, _) = CliRunner.RunProgram(CliRunner.CliPath, ["--check-command-lines", file], TestPaths.RepoRoot);
        Assert.Equal(1, code);
        var results = stdout.Trim().Split('\n');
        Assert.Equal(5, results.Length);
        Assert.All(results.Take(4), r => Assert.StartsWith("FAIL", r));
        Assert.Contains("--json-please", results[0]);
        Assert.Contains("trian", results[1]);
        Assert.Contains("no_such_config.json not found", results[2]);
        Assert.Contains("the launched command", results[3]);
        Assert.StartsWith("ok 5", results[4]);
    }

    [Fact]
    public void TheCheapDocumentedCommandsRunAsWritten()
    {
        var cheap = DocumentedCommandLines().Select(l => l.Line).Distinct()
            .Where(l => l.Split(' ') is [_, "doctor", ..] or [_, "print-config", ..] || l.StartsWith("tools/vimdense complexity configs/demo/", StringComparison.Ordinal))
            .Where(l => !l.Contains("PLACEHOLDER") && !l.Contains(" CONFIG"))
            .ToList();
        Assert.Contains(cheap, l => l.Contains(" doctor"));
        Assert.Contains(cheap, l => l.Contains(" complexity "));
        foreach (var line in cheap)
        {
            var (code, _, stderr) = CliRunner.RunProgram(CliRunner.CliPath, line.Split(' ').Skip(1), TestPaths.RepoRoot);
            Assert.True(code == 0, $"{line}: exit {code}: {stderr}");
        }
    }

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex InlineCode();

    [GeneratedRegex(@"(\S+?)(\\\|\S+?)+(?=\s|$)")]
    private static partial Regex Alternatives();
}

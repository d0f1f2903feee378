namespace VimDense.Tests.Backbones;

/// <summary>`vimdense bench backbone` end to end on tiny sizes (child processes, table, ratios, CSV, PNG).</summary>
public sealed class BenchBackboneCommandTests
{
    [Fact]
    public void WritesTableRatiosCsvAndPlot()
    {
        var prefix = Path.Combine(TestPaths.NewTempDir(), "bench");
        var (code, stdout, stderr) = CliRunner.Run("bench", "backbone", "--models", "vim_tiny,deit_tiny", "--sizes", "32",
            "--depth", "2", "--iters", "1", "--min-seconds", "0", "--rounds", "2", "--output", prefix);
        Assert.True(code == 0, stderr);
        Assert.Contains("vim_tiny/deit_tiny images/s", stdout);
        var rows = File.ReadAllLines(prefix + ".csv");
        Assert.Equal(3, rows.Length);
        Assert.StartsWith("model,size,tokens", rows[0]);
        Assert.StartsWith("vim_tiny,32,4,1,none,cpu", rows[1]);
        Assert.True(new FileInfo(prefix + ".png").Length > 1000);
    }

    [Fact]
    public void UnknownModelIsAOneLineError()
    {
        var (code, _, stderr) = CliRunner.Run("bench", "backbone", "--models", "vim_huge", "--sizes", "32");
        Assert.Equal(1, code);
        Assert.Contains("backbone 'vim_huge'", stderr);
    }
}

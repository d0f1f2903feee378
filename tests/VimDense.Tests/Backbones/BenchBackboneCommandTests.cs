namespace VimDense.Tests.Backbones;

/// <summary>`vimdense bench backbone` end to end on tiny sizes (child processes, table, ratios, CSV, PNG).</summary>
public sealed class BenchBackboneCommandTests
{
    /// <summary>`bench backbone` at the tiny point these tests share: 32², two blocks, one timed pass.</summary>
    private static (int Code, string Stdout, string Stderr) BenchTiny(params string[] options) =>
        CliRunner.Run(["bench", "backbone", "--sizes", "32", "--depth", "2", "--iters", "1", .. options]);

    [Fact]
    public void WritesTableRatiosCsvAndPlot()
    {
        var prefix = Path.Combine(TestPaths.NewTempDir(), "bench");
        var (code, stdout, stderr) = BenchTiny("--models", "vim_tiny,deit_tiny", "--min-seconds", "0", "--rounds", "2", "--output", prefix);
        Assert.True(code == 0, stderr);
        Assert.Contains("vim_tiny/deit_tiny images/s", stdout);
        var rows = File.ReadAllLines(prefix + ".csv");
        Assert.Equal(3, rows.Length);
        Assert.StartsWith("model,size,tokens", rows[0]);
        Assert.StartsWith("vim_tiny,32,4,1,none,cpu", rows[1]);
        Assert.True(new FileInfo(prefix + ".png").Length > 1000);
    }

    [Fact]
    public void EachPrecisionIsMeasuredAndComparedAgainstTheSamePrecision()
    {
        var prefix = Path.Combine(TestPaths.NewTempDir(), "bench");
        var (code, stdout, stderr) = BenchTiny("--models", "vim_tiny,deit_tiny", "--min-seconds", "0", "--precision", "fp32,bf16", "--output", prefix);
        Assert.True(code == 0, stderr);
        Assert.Contains("vim_tiny bf16", stdout);
        Assert.Contains("deit_tiny bf16", stdout);
        var ratioRows = stdout.Split('\n').Where(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\s+32\s+(fp32|bf16)\s")).ToList();
        Assert.Equal(2, ratioRows.Count);
        var rows = File.ReadAllLines(prefix + ".csv");
        Assert.Equal(5, rows.Length);
        Assert.Contains("precision", rows[0].Split(','));
        Assert.Equal(2, rows.Count(r => r.Contains(",bf16,")));

        var (badCode, _, badError) = CliRunner.Run("bench", "backbone", "--sizes", "32", "--precision", "fp8");
        Assert.Equal(1, badCode);
        Assert.Contains("--precision", badError);
    }

    [Fact]
    public void ProfileRunsUnderTheChosenPrecision()
    {
        var (code, stdout, stderr) = BenchTiny("--profile", "--models", "vim_tiny", "--precision", "bf16");
        Assert.True(code == 0, stderr);
        Assert.Contains("vim_tiny at 32x32, batch 1, bf16", stdout);
        Assert.Contains("forward / GEMM roof =", stdout);
    }

    [Fact]
    public void ProfilePrintsEveryCategoryAndTheGemmRoof()
    {
        var (code, stdout, stderr) = BenchTiny("--profile", "--models", "vim_tiny,deit_tiny");
        Assert.True(code == 0, stderr);
        foreach (var label in new[] { "GEMM (projections", "selective scan", "conv1d + SiLU", "norm + residual", "elementwise",
                     "layout copies", "allocation + freeing", "autograd backward", "dispatch / other", "total" })
            Assert.Contains(label, stdout);
        // One pass records each product once: 2 blocks x (in_proj (a GEMM for x and one for z), out_proj,
        // 2 directions x (x_proj, dt_proj)) + patch embed.
        Assert.Contains("the same 15 products alone", stdout);
        Assert.Contains("forward / GEMM roof =", stdout);
        Assert.DoesNotContain("deit_tiny at", stdout);      // only Vim models are instrumented
    }

    [Fact]
    public void UnknownModelIsAOneLineError()
    {
        var (code, _, stderr) = CliRunner.Run("bench", "backbone", "--models", "vim_huge", "--sizes", "32");
        Assert.Equal(1, code);
        Assert.Contains("backbone 'vim_huge'", stderr);
    }
}

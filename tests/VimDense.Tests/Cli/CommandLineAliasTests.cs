using Newtonsoft.Json.Linq;

namespace VimDense.Tests.Cli;

/// <summary>
/// The other tools' spellings the CLI accepts (`test` for `eval`, `--cfg-options` and trailing KEY=VALUE for `--set`)
/// and its "did you mean" for mistyped commands, options and config keys, run through the built `vimdense`.
/// </summary>
public class CommandLineAliasTests
{
    private static readonly string Demo = Path.Combine(TestPaths.RepoRoot, "configs", "demo", "upernet_vim_tiny_synthetic.json");

    [Fact]
    public void CfgOptionsAndTrailingAssignmentsOverrideAsSetDoes()
    {
        var viaSet = PrintConfig(Demo, "--set", "optimizer.lr=0.5", "schedule.iterations=7");
        Assert.Equal(0.5, (double)viaSet["optimizer"]!["lr"]!);
        Assert.Equal(7, (int)viaSet["schedule"]!["iterations"]!);
        Assert.True(JToken.DeepEquals(viaSet, PrintConfig(Demo, "--cfg-options", "optimizer.lr=0.5", "schedule.iterations=7")));
        Assert.True(JToken.DeepEquals(viaSet, PrintConfig(Demo, "optimizer.lr=0.5", "schedule.iterations=7")));
        Assert.True(JToken.DeepEquals(viaSet, PrintConfig(Demo, "--set", "optimizer.lr=0.5", "--cfg-options", "schedule.iterations=7")));
    }

    [Fact]
    public void TrailingAssignmentsApplyAfterSet()
    {
        var printed = PrintConfig(Demo, "schedule.iterations=9", "--set", "schedule.iterations=7");
        Assert.Equal(9, (int)printed["schedule"]!["iterations"]!);
    }

    [Fact]
    public void EveryCommandWithSetTakesTheAliasAndTrailingAssignments()
    {
        foreach (var command in new[] { "train", "eval", "test", "predict", "print-config", "confusion-matrix", "browse-dataset", "show" })
        {
            var (code, stdout, stderr) = CliRunner.Run(command, "--help");
            Assert.True(code == 0, $"{command}: {stderr}");
            Assert.Contains("--cfg-options", stdout);
            Assert.Contains("overrides", stdout);
        }
    }

    [Fact]
    public void ATrailingTokenThatIsNoAssignmentIsAUsageError()
    {
        var (code, _, stderr) = CliRunner.Run("print-config", Demo, "other.json");
        Assert.Equal(2, code);
        Assert.Contains("'other.json'", stderr);
        Assert.Contains("KEY=VALUE", stderr);
        Assert.Single(stderr.Trim().Split('\n'));
    }

    [Fact]
    public void TestRunsEval()
    {
        string[] rest = [Demo, "--checkpoint", Path.Combine(TestPaths.NewTempDir(), "missing.safetensors")];
        var eval = CliRunner.Run(["eval", .. rest]);
        var test = CliRunner.Run(["test", .. rest]);
        Assert.Equal(1, eval.Code);
        Assert.Contains("missing.safetensors", eval.Stderr);
        Assert.Equal((eval.Code, eval.Stderr), (test.Code, test.Stderr));
        var (code, stdout, _) = CliRunner.Run("--help");
        Assert.Equal(0, code);
        Assert.Contains("eval, test", stdout);
    }

    [Theory]
    [InlineData("trian", "did you mean 'train'?")]
    [InlineData("bench backbon", "did you mean 'backbone'?")]
    [InlineData("tset", "did you mean 'test'?")]
    public void AMistypedCommandIsAUsageErrorWithTheClosestCommand(string args, string hint)
    {
        var (code, _, stderr) = CliRunner.Run(args.Split(' '));
        Assert.Equal(2, code);
        Assert.Contains(hint, stderr);
        Assert.Single(stderr.Trim().Split('\n'));
    }

    [Fact]
    public void AMistypedOptionNamesTheClosestOption()
    {
        var (code, _, stderr) = CliRunner.Run("train", Demo, "--resum");
        Assert.Equal(2, code);
        Assert.Contains("'--resum'; did you mean '--resume'?", stderr);
    }

    [Fact]
    public void AMistypedKeyFromATrailingAssignmentIsBlamedOnItWithTheClosestKey()
    {
        var (code, _, stderr) = CliRunner.Run("print-config", Demo, "model.decode_head.chanels=48");
        Assert.Equal(1, code);
        Assert.Contains("unknown key 'model.decode_head.chanels' (from --set model.decode_head.chanels=48)", stderr);
        Assert.Contains("did you mean 'channels'?", stderr);
        Assert.DoesNotContain(Demo, stderr);
    }

    private static JObject PrintConfig(params string[] args)
    {
        var (code, stdout, stderr) = CliRunner.Run(["print-config", .. args]);
        Assert.True(code == 0, stderr);
        return JObject.Parse(stdout);
    }
}

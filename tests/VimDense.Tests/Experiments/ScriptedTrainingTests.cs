namespace VimDense.Tests.Experiments;

/// <summary>tools/examples/ScriptedTraining runs: a script trains, evaluates and predicts through the public API.</summary>
public class ScriptedTrainingTests
{
    [Fact]
    public void ScriptedTrainingExampleTrainsEvaluatesAndPredicts()
    {
        var temp = TestPaths.NewTempDir("vimdense-scripted");
        var work = Path.Combine(temp, "work");
        var (code, stdout, stderr) = CliRunner.RunProgram(CliRunner.ProgramPath("ScriptedTrainingPath"),
            ["--iterations", "2", "--work-dir", work], workingDirectory: temp);
        Assert.True(code == 0, stderr);
        Assert.Contains("trained 2 iterations: mIoU ", stdout);
        Assert.Contains("evaluated 4 validation images: mIoU ", stdout);
        Assert.Matches(@"predicted \S+\.\w+ \(\d+x\d+\): \S+ \d+%", stdout);
        Assert.True(File.Exists(Path.Combine(work, "iter_2.safetensors")), stderr);
        // The script lowered the iterations in code: the config it trained with records that.
        Assert.Contains("\"iterations\": 2", File.ReadAllText(Path.Combine(work, "config.json")));
    }
}

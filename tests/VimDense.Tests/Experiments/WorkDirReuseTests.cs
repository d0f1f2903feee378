using Newtonsoft.Json.Linq;
using VimDense.Datasets.Synthetic;
using VimDense.Experiments;
using VimDense.Tests.Engine;
using VimDense.Tests.Hostile;

namespace VimDense.Tests.Experiments;

/// <summary>
/// A work directory that holds a run (issue 15 item 4): a second run there is refused without --resume, leaving every
/// file as it was; --force removes that run's files (only VimDense's) and starts over; a run that fails at start-up
/// leaves the previous config.json and checkpoints alone. Resuming is covered bit for bit by the resume tests.
/// </summary>
[Collection(GlobalRngCollection.Name)]
public class WorkDirReuseTests
{
    private sealed record Setup(string Config, string Work);

    /// <summary>A tiny ADE20K-layout set and config (HostileSandbox's: one Vim block at 32², a few seconds a run).</summary>
    private static Setup NewSetup()
    {
        var dir = TestPaths.NewTempDir("vimdense-workdir");
        var data = Path.Combine(dir, "ade");
        SyntheticAde20kWriter.Write(data, new SyntheticOptions { Images = 4, Classes = 8, Size = 32 });
        var config = Path.Combine(dir, "tiny.json");
        File.WriteAllText(config, HostileSandbox.TinyConfig(data).ToString());
        return new Setup(config, Path.Combine(dir, "work"));
    }

    private static TrainingResult Train(Setup s, bool resume = false, bool force = false, params string[] overrides) =>
        Experiment.FromConfig(s.Config, overrides, s.Work).Train(resume, force);

    /// <summary>Every file under <paramref name="dir"/> by relative path, with its bytes.</summary>
    private static SortedDictionary<string, byte[]> Snapshot(string dir) =>
        new(Directory.GetFiles(dir, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(dir, f), File.ReadAllBytes), StringComparer.Ordinal);

    private static void AssertSame(SortedDictionary<string, byte[]> before, SortedDictionary<string, byte[]> after)
    {
        Assert.Equal(before.Keys, after.Keys);
        foreach (var (name, bytes) in before) Assert.True(bytes.AsSpan().SequenceEqual(after[name]), $"{name} changed");
    }

    private static List<long> TrainIterations(string work) =>
        File.ReadLines(Path.Combine(work, "log.jsonl")).Select(JObject.Parse).Where(l => (string?)l["mode"] == "train").Select(l => (long)l["iter"]!).ToList();

    [Fact]
    public void ASecondRunWithoutResumeIsRefusedAndTouchesNothing()
    {
        var s = NewSetup();
        Train(s);
        var before = Snapshot(s.Work);
        Assert.Contains("config.json", before.Keys);
        Assert.Contains("log.jsonl", before.Keys);

        var e = Assert.Throws<UserInputException>(() => Train(s));
        Assert.Contains(s.Work, e.Message);
        Assert.Contains("--resume", e.Message);
        Assert.Contains("--force", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        AssertSame(before, Snapshot(s.Work));

        Assert.Throws<UserInputException>(() => Train(s, resume: true, force: true));
        AssertSame(before, Snapshot(s.Work));
    }

    [Fact]
    public void ForceRemovesOnlyThePreviousRunsFilesAndStartsOver()
    {
        var s = NewSetup();
        Train(s, overrides: ["schedule.iterations=3", "train.tensor_board=true", "train.overlay_images=1"]);
        Assert.True(File.Exists(Path.Combine(s.Work, "iter_3.safetensors")));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(s.Work, "tf_logs"), "events.out.tfevents.*"));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(s.Work, "overlays"), "*.png"));
        // The user's own files in the work directory and its sub-folders stay.
        File.WriteAllText(Path.Combine(s.Work, "notes.txt"), "mine");
        File.WriteAllText(Path.Combine(s.Work, "overlays", "keep.txt"), "mine too");

        var result = Train(s, force: true);
        Assert.Equal([1L, 2], TrainIterations(s.Work)); // a fresh log: iterations 1-3 of the first run are gone, nothing appended
        Assert.Equal(["iter_1.safetensors", "iter_2.safetensors"], Directory.GetFiles(s.Work, "iter_*.safetensors").Select(Path.GetFileName).Order());
        Assert.Equal("iter_2.safetensors", File.ReadAllText(Path.Combine(s.Work, "last_checkpoint")).Trim());
        Assert.Equal(Path.Combine(s.Work, "iter_2.safetensors"), result.Checkpoint);
        Assert.False(Directory.Exists(Path.Combine(s.Work, "tf_logs")), "the first run's TensorBoard events were left");
        Assert.Equal(["keep.txt"], Directory.GetFiles(Path.Combine(s.Work, "overlays")).Select(Path.GetFileName));
        Assert.Equal("mine", File.ReadAllText(Path.Combine(s.Work, "notes.txt")));
        Assert.Contains("\"iterations\": 2", File.ReadAllText(Path.Combine(s.Work, "config.json")));
    }

    [Fact]
    public void ARunThatFailsAtStartUpLeavesThePreviousRunAsItWas()
    {
        var s = NewSetup();
        Train(s);
        var before = Snapshot(s.Work);
        // Fails while the model is built, after the work directory was checked: nothing may be removed or rewritten.
        var missing = Path.Combine(Path.GetDirectoryName(s.Work)!, "missing.safetensors");
        Assert.Throws<FileNotFoundException>(() => Train(s, force: true, overrides: [$"model.backbone.pretrained={missing}", "schedule.iterations=5"]));
        AssertSame(before, Snapshot(s.Work));
    }

    [Fact]
    public void TheCliRefusesASecondRunInOneLineNamingTheWorkDirAndItsOptions()
    {
        var s = NewSetup();
        var (code, _, stderr) = CliRunner.Run("train", s.Config, "--work-dir", s.Work);
        Assert.True(code == 0, stderr);
        var before = Snapshot(s.Work);

        (code, var stdout, stderr) = CliRunner.Run("train", s.Config, "--work-dir", s.Work);
        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        var line = Assert.Single(stderr.TrimEnd().Split('\n'));
        Assert.StartsWith("vimdense: work directory ", line);
        Assert.Contains(s.Work, line);
        Assert.Contains("--resume", line);
        Assert.Contains("--force", line);
        AssertSame(before, Snapshot(s.Work));

        (code, _, stderr) = CliRunner.Run("train", s.Config, "--work-dir", s.Work, "--force", "--set", "schedule.iterations=1");
        Assert.True(code == 0, stderr);
        Assert.Equal([1L], TrainIterations(s.Work));
        Assert.False(File.Exists(Path.Combine(s.Work, "iter_2.safetensors")));
    }
}

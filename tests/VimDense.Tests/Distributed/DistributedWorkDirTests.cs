namespace VimDense.Tests.Distributed;

/// <summary>A data-parallel run into a work directory that holds a run: rank 0 refuses it and every rank ends, exit 1.</summary>
public class DistributedWorkDirTests
{
    [MpiFact]
    public void Two_ranks_into_a_work_dir_that_holds_a_run_are_refused_without_touching_it()
    {
        var dir = Directory.CreateDirectory(Path.Combine(DemoRuns.Root, "occupied")).FullName;
        File.WriteAllText(Path.Combine(dir, "log.jsonl"), "{\"mode\":\"train\",\"iter\":1,\"loss\":1.0}\n");
        File.WriteAllText(Path.Combine(dir, "config.json"), "{}");
        var (code, stdout, stderr) = DemoRuns.Train(dir, processes: 2, batch: 1, iterations: 2);
        Assert.True(code == 1, $"exit {code}: {stdout}{stderr}");
        Assert.Contains("--force", stderr);
        Assert.Equal(["config.json", "log.jsonl"], Directory.GetFiles(dir).Select(Path.GetFileName).Order());
        Assert.Equal("{}", File.ReadAllText(Path.Combine(dir, "config.json")));
    }
}

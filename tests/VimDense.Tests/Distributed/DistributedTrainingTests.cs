using System.Diagnostics;
using static TorchSharp.torch;

namespace VimDense.Tests.Distributed;

/// <summary>Data-parallel runs of the demo segmentor on 2 local ranks (Open MPI, shared memory or TCP) against one process.</summary>
public class DistributedTrainingTests
{
    [MpiFact]
    public void Collectives_and_SyncBN_pass_their_checks_on_two_ranks()
    {
        var (code, stdout, stderr) = CliRunner.Run("launch", "--nproc", "2", "--threads", "1", "--", "dist", "check");
        Assert.True(code == 0, stdout + stderr);
        Assert.Contains("dist check: ok (rank 0 of 2", stdout);
        Assert.Contains("dist check: ok (rank 1 of 2", stdout);
    }

    private static readonly Lazy<string> OneRankBatchTwo = new(() =>
    {
        var dir = Path.Combine(DemoRuns.Root, "one_rank_batch2");
        var (code, _, stderr) = DemoRuns.Train(dir, processes: 0, batch: 2, iterations: 3);
        Assert.True(code == 0, stderr);
        return Path.Combine(dir, "iter_3.safetensors");
    });

    [MpiTheory]
    [InlineData(null)]
    [InlineData("btl=tcp,self")]
    public void Two_ranks_of_batch_one_train_as_one_rank_of_batch_two(string? mca)
    {
        var dir = Path.Combine(DemoRuns.Root, $"two_ranks_batch1_{(mca is null ? "shm" : "tcp")}");
        var (code, stdout, stderr) = DemoRuns.Train(dir, processes: 2, batch: 1, iterations: 3, mca: mca);
        Assert.True(code == 0, stdout + stderr);

        var one = DemoRuns.Tensors(OneRankBatchTwo.Value, "model.");
        var two = DemoRuns.Tensors(Path.Combine(dir, "iter_3.safetensors"), "model.");
        Assert.Equal(one.Keys.Order(), two.Keys.Order());
        // Relative L2 distance of all floating-point weights (3 AdamW steps away from the same initialisation):
        // only the summation order of the gradients and batch statistics differs.
        double difference = 0, norm = 0;
        foreach (var (name, a) in one.Where(kv => kv.Value.is_floating_point()))
        {
            difference += (a.to(float64) - two[name].to(float64)).square().sum().item<double>();
            norm += a.to(float64).square().sum().item<double>();
        }
        Assert.True(Math.Sqrt(difference / norm) < 1e-5, $"relative weight difference {Math.Sqrt(difference / norm):E2}");
        // The last step did move the weights (iteration 2 → 3), so the comparison is between trained models.
        var init = DemoRuns.Tensors(Path.Combine(DemoRuns.Root, "one_rank_batch2", "iter_2.safetensors"), "model.");
        Assert.Contains(one, kv => kv.Value.is_floating_point() && !DemoRuns.BitEqual(kv.Value, init[kv.Key]));
        Assert.Equal("2", VimDense.Checkpoints.SafeTensors.ReadMetadata(Path.Combine(dir, "iter_3.safetensors"))["world_size"]);
    }

    [MpiFact]
    public void Detection_evaluation_split_over_two_ranks_gives_the_one_process_results()
    {
        // Learning rate 0: both runs evaluate the initial detector, one process alone, two ranks each on half the images.
        string Run(int processes, int batch)
        {
            var dir = Path.Combine(DemoRuns.Root, $"detection_{processes}");
            var (code, stdout, stderr) = CliRunner.Run([.. processes > 1 ? new[] { "launch", "--nproc", $"{processes}", "--threads", "1", "--" } : [],
                "train", Path.Combine(TestPaths.RepoRoot, "configs", "demo", "cascade_mask_rcnn_vim_tiny_synthetic.json"), "--work-dir", dir,
                "--set", $"data.batch_size={batch}", "schedule.iterations=1", "optimizer.lr=0", "train.eval_interval=0", "data.val_max_images=5",
                "train.overlay_images=0", "data.workers=1", "train.tensor_board=false", $"data.root={Path.Combine(DemoRuns.Root, "coco")}", "threads=1"]);
            Assert.True(code == 0, stdout + stderr);
            return File.ReadAllText(Path.Combine(dir, "eval", "results_bbox.json"));
        }
        var one = Newtonsoft.Json.Linq.JArray.Parse(Run(1, 2));
        var two = Newtonsoft.Json.Linq.JArray.Parse(Run(2, 1));
        Assert.NotEmpty(one);
        Assert.Equal(one.Count, two.Count);
        for (var i = 0; i < one.Count; i++)
        {
            Assert.Equal((long)one[i]["image_id"]!, (long)two[i]["image_id"]!);
            Assert.Equal((long)one[i]["category_id"]!, (long)two[i]["category_id"]!);
            Assert.Equal((double)one[i]["score"]!, (double)two[i]["score"]!, 1e-6);
            foreach (var (a, b) in one[i]["bbox"]!.Zip(two[i]["bbox"]!)) Assert.Equal((double)a, (double)b, 1e-3);
        }
    }

    [MpiFact]
    public void Resume_on_two_ranks_is_bit_identical_and_another_world_size_is_refused()
    {
        var straight = Path.Combine(DemoRuns.Root, "resume_straight");
        var (code, stdout, stderr) = DemoRuns.Train(straight, processes: 2, batch: 1, iterations: 4);
        Assert.True(code == 0, stdout + stderr);

        // The resumed run starts from the straight run's iteration-2 checkpoint.
        var resumed = Path.Combine(DemoRuns.Root, "resume_resumed");
        Directory.CreateDirectory(resumed);
        File.Copy(Path.Combine(straight, "iter_2.safetensors"), Path.Combine(resumed, "iter_2.safetensors"));
        File.WriteAllText(Path.Combine(resumed, "last_checkpoint"), "iter_2.safetensors");
        (code, stdout, stderr) = DemoRuns.Train(resumed, processes: 2, batch: 1, iterations: 4, resume: true);
        Assert.True(code == 0, stdout + stderr);
        var a = DemoRuns.Tensors(Path.Combine(straight, "iter_4.safetensors"));
        var b = DemoRuns.Tensors(Path.Combine(resumed, "iter_4.safetensors"));
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        foreach (var (name, tensor) in a) Assert.True(DemoRuns.BitEqual(tensor, b[name]), $"{name} differs after resume");

        // One process cannot continue a 2-process run: one line, the input-error exit code (1).
        (code, _, stderr) = DemoRuns.Train(resumed, processes: 0, batch: 1, iterations: 4, resume: true);
        Assert.Equal(1, code);
        Assert.Contains("written by 2 process(es) but this run has 1", stderr);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.Contains("process(es)"));
    }

    [MpiFact]
    public void Killing_one_rank_ends_the_other_within_30_seconds()
    {
        var dir = Path.Combine(DemoRuns.Root, "killed");
        var start = new ProcessStartInfo(CliRunner.DotnetHost()) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { CliRunner.CliPath, "launch", "--nproc", "2", "--threads", "1", "--", "train",
                     Path.Combine(TestPaths.RepoRoot, "configs", "demo", "upernet_vim_tiny_synthetic.json"), "--work-dir", dir, "--set" }
                     .Concat(DemoRuns.Settings(1, 100_000)))
            start.ArgumentList.Add(arg);
        DemoRuns.EnsureData();
        using var launch = Process.Start(start)!;
        _ = launch.StandardOutput.ReadToEndAsync();
        _ = launch.StandardError.ReadToEndAsync();
        try
        {
            // Wait until both ranks train (rank 0's log has its first line), then kill rank 1.
            var ready = Stopwatch.StartNew();
            while (!File.Exists(Path.Combine(dir, "log.jsonl")) && ready.Elapsed < TimeSpan.FromSeconds(120) && !launch.HasExited) Thread.Sleep(200);
            Assert.False(launch.HasExited, "the launch ended before training started");
            var rank1 = RankProcess(launch.Id, 1);
            Assert.NotNull(rank1);
            using (rank1) rank1!.Kill();
            var ending = Stopwatch.StartNew();
            Assert.True(launch.WaitForExit(TimeSpan.FromSeconds(30)), "rank 0 still ran 30 s after rank 1 was killed");
            Assert.NotEqual(0, launch.ExitCode);
            Assert.True(ending.Elapsed < TimeSpan.FromSeconds(30));
        }
        finally
        {
            if (!launch.HasExited) launch.Kill(entireProcessTree: true);
        }
    }

    /// <summary>The descendant of <paramref name="ancestor"/> whose environment says OMPI_COMM_WORLD_RANK=<paramref name="rank"/>.</summary>
    private static Process? RankProcess(int ancestor, int rank)
    {
        var marker = $"OMPI_COMM_WORLD_RANK={rank}\0";
        foreach (var pid in Descendants(ancestor))
        {
            try
            {
                if (File.ReadAllText($"/proc/{pid}/environ").Contains(marker)) return Process.GetProcessById(pid);
            }
            catch (IOException) { } // ended meanwhile
            catch (UnauthorizedAccessException) { }
        }
        return null;
    }

    private static IEnumerable<int> Descendants(int pid)
    {
        var children = new List<int>();
        foreach (var task in Directory.GetDirectories($"/proc/{pid}/task"))
        {
            var file = Path.Combine(task, "children");
            if (File.Exists(file)) children.AddRange(File.ReadAllText(file).Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse));
        }
        foreach (var child in children)
        {
            yield return child;
            foreach (var grandchild in Descendants(child)) yield return grandchild;
        }
    }
}

using VimDense.Checkpoints;
using static TorchSharp.torch;

namespace VimDense.Tests.Distributed;

/// <summary>
/// Tiny runs of the demo segmentor (configs/demo, SyncBN in neck and heads; dropout and drop path 0) in one process
/// or as ranks under `vimdense launch` (1 torch thread per rank), sharing one synthetic data set.
/// </summary>
internal static class DemoRuns
{
    public static string Root { get; } = Path.Combine(Path.GetTempPath(), $"vimdense-dist-tests-{Environment.ProcessId}");

    static DemoRuns() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    };

    private static string Config => Path.Combine(TestPaths.RepoRoot, "configs", "demo", "upernet_vim_tiny_synthetic.json");

    private static readonly object DataGate = new();

    /// <summary>`vimdense [launch --nproc N ... --] train` with the tiny settings plus <paramref name="extra"/> overrides.</summary>
    public static (int Code, string Stdout, string Stderr) Train(string workDir, int processes, int batch, long iterations,
        bool resume = false, string? mca = null, params string[] extra)
    {
        EnsureData();
        var args = new List<string>();
        if (processes > 0)
        {
            args.AddRange(["launch", "--nproc", processes.ToString(), "--threads", "1"]);
            if (mca is not null) args.AddRange(["--mca", mca]);
            args.Add("--");
        }
        args.AddRange(["train", Config, "--work-dir", workDir]);
        if (resume) args.Add("--resume");
        args.Add("--set");
        args.AddRange(Settings(batch, iterations));
        args.AddRange(extra);
        return CliRunner.Run([.. args]);
    }

    public static string[] Settings(int batch, long iterations) =>
    [
        $"data.batch_size={batch}", $"schedule.iterations={iterations}", "model.decode_head.dropout_ratio=0",
        "model.auxiliary_head.dropout_ratio=0", "model.backbone.options.drop_path_rate=0", $"train.checkpoint_interval={Math.Min(iterations, 2)}",
        "train.eval_interval=0", "data.val_max_images=3", "train.overlay_images=0", "data.workers=1", "train.tensor_board=false",
        $"data.root={Path.Combine(Root, "data")}", "threads=1", "train.keep_last=5",
    ];

    /// <summary>Generates the synthetic data set once, in one process, before any multi-rank run uses it.</summary>
    public static void EnsureData()
    {
        lock (DataGate)
        {
            if (Directory.Exists(Path.Combine(Root, "data"))) return;
            var (code, _, stderr) = CliRunner.Run(["train", Config, "--work-dir", Path.Combine(Root, "warmup"), "--set", .. Settings(2, 1)]);
            Assert.True(code == 0, stderr);
        }
    }

    /// <summary>Same shape, element type and bytes.</summary>
    public static bool BitEqual(Tensor a, Tensor b) =>
        a.dtype == b.dtype && a.shape.SequenceEqual(b.shape) && a.contiguous().bytes.SequenceEqual(b.contiguous().bytes);

    /// <summary>The tensors of a checkpoint whose names start with <paramref name="prefix"/>.</summary>
    public static Dictionary<string, Tensor> Tensors(string path, string prefix = "") =>
        SafeTensors.Load(path).Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary();
}

using TorchSharp;
using VimDense.Config;

namespace VimDense.Experiments;

/// <summary>
/// An experiment described by a config (mmengine's Runner, detectron2's DefaultTrainer): the config is parsed once
/// by <see cref="FromConfig(string, IEnumerable{string}?, string?)"/>, stays mutable in <see cref="Config"/> so a
/// script can change values before building anything, and drives <see cref="Train"/> and evaluation. The task-typed
/// subclasses (<see cref="SegmentationExperiment"/>, <see cref="DetectionExperiment"/>) build the model, data,
/// pipelines and trainer; predictors (<see cref="SegmentationPredictor"/>, <see cref="DetectionPredictor"/>) run a
/// trained model on images.
/// </summary>
public abstract class Experiment
{
    private string workDir;

    private protected Experiment(ExperimentConfig config, string configPath, string workDir)
    {
        Config = config;
        ConfigPath = configPath;
        this.workDir = Path.GetFullPath(workDir);
    }

    /// <summary>The parsed config; changes made here apply to everything built afterwards.</summary>
    public ExperimentConfig Config { get; }

    /// <summary>The config file the experiment was loaded from ("" for a config built in code).</summary>
    public string ConfigPath { get; }

    /// <summary>Where training writes checkpoints, logs and metrics (an absolute path).</summary>
    public string WorkDir
    {
        get => workDir;
        set => workDir = Path.GetFullPath(value);
    }

    /// <summary>
    /// The device of the config's <c>device</c> key (cpu, cuda, cuda:N), where the model, its optimizer state, the
    /// batches and the losses live; checked against this build and machine each time (the config may have changed).
    /// </summary>
    public torch.Device Device => DeviceOf(Config);

    private static torch.Device DeviceOf(ExperimentConfig config) => Engine.ComputeDevice.Parse(config.Device).Resolve();

    private static readonly HashSet<string> WarnedPrecisionKeys = [];

    /// <summary>
    /// One stderr line (once per key and process) when <paramref name="key"/>'s precision runs on this CPU without the
    /// instructions that make it fast (see <see cref="Engine.CpuLowPrecisionSupport"/>); nothing on a GPU.
    /// </summary>
    internal void WarnIfPrecisionIsSlowHere(string key, Engine.Precision precision)
    {
        if (Device.type != DeviceType.CPU) return;
        if (Engine.CpuLowPrecisionSupport.SlowPrecisionWarning(precision, key) is { } line)
            lock (WarnedPrecisionKeys)
                if (WarnedPrecisionKeys.Add(key)) Console.Error.WriteLine(line);
    }

    /// <summary>
    /// Loads <paramref name="configPath"/> with <paramref name="overrides"/> ("a.b=c", as `--set`) and returns the
    /// experiment its "task" names. The work directory is <paramref name="workDir"/>, else the config's work_dir,
    /// else work_dirs/&lt;config name&gt;.
    /// </summary>
    public static Experiment FromConfig(string configPath, IEnumerable<string>? overrides = null, string? workDir = null) =>
        FromConfig(ConfigLoader.Load(configPath, overrides), configPath, workDir);

    /// <summary>The experiment of a config already in memory (<paramref name="configPath"/> names it for messages and the default work dir).</summary>
    public static Experiment FromConfig(ExperimentConfig config, string configPath, string? workDir = null)
    {
        var dir = workDir ?? config.WorkDir ?? Path.Combine("work_dirs", Path.GetFileNameWithoutExtension(configPath));
        // A device this build or machine lacks stops here, before any data or model is built.
        _ = DeviceOf(config);
        if (config.Threads > 0) torch.set_num_threads(config.Threads);
        return config.Task switch
        {
            "segmentation" => new SegmentationExperiment(config, configPath, dir),
            "detection" => new DetectionExperiment(config, configPath, dir),
            var task => throw new UserInputException($"{configPath}: task '{task}': expected segmentation or detection"),
        };
    }

    /// <summary>Loads a config that must describe a <typeparamref name="TExperiment"/> (e.g. a segmentation config for a segmentation script).</summary>
    public static TExperiment FromConfig<TExperiment>(string configPath, IEnumerable<string>? overrides = null, string? workDir = null)
        where TExperiment : Experiment
    {
        var experiment = FromConfig(configPath, overrides, workDir);
        return experiment as TExperiment ?? throw new UserInputException(
            $"{configPath}: task is '{experiment.Config.Task}', expected {typeof(TExperiment).Name.Replace("Experiment", "").ToLowerInvariant()}");
    }

    /// <summary>
    /// Trains (continuing from the work directory's latest checkpoint when <paramref name="resume"/>), evaluating
    /// periodically, and leaves in the work directory the checkpoints, log.jsonl, TensorBoard events, metrics.json /
    /// metrics.txt, the loss / lr / validation curves (TrainingCurves) and prediction overlays (also as TensorBoard images). Throws <see cref="Engine.TrainingDivergedException"/> when the loss diverges.
    /// A work directory that already holds a run is refused unless <paramref name="resume"/> continues it or
    /// <paramref name="force"/> removes its files and starts over (see <see cref="WorkDirRun"/>).
    /// </summary>
    public abstract TrainingResult Train(bool resume = false, bool force = false);

    /// <summary>
    /// Evaluates a training checkpoint on the validation split (first <paramref name="maxImages"/> when &gt; 0, else
    /// data.val_max_images) and writes its outputs (metrics.json, predictions or results files) to <paramref name="outDir"/>.
    /// </summary>
    public abstract IEvaluation Evaluate(string checkpoint, bool ema = false, int maxImages = 0, string? outDir = null);

    /// <summary>
    /// Format-only evaluation (mmseg's / mmdet's format_only): predictions on test.split (default data.val_split) written
    /// to <paramref name="outDir"/> in the form the data set's own tools take, without reading annotations or scoring.
    /// </summary>
    public abstract FormatOnlyOutputs FormatResults(string checkpoint, string outDir, bool ema = false, int maxImages = 0);

    /// <summary>The test section's split and format-only keys (test.format_only, test.split, test.ann_file).</summary>
    public abstract TestRunOptions TestRun { get; }
}

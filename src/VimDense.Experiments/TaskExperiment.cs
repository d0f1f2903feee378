using VimDense.Config;
using VimDense.Datasets.Loading;
using VimDense.Engine;
using VimDense.Engine.Distributed;
using static TorchSharp.torch;

namespace VimDense.Experiments;

/// <summary>
/// The training run both tasks share, over their model and batch types: prepare the data, build the model, train
/// with periodic evaluation, then write the final metrics, the loss curve and overlays to the work directory.
/// </summary>
public abstract class TaskExperiment<TModel, TBatch> : Experiment
    where TModel : nn.Module
    where TBatch : class, IDisposable
{
    private protected TaskExperiment(ExperimentConfig config, string configPath, string workDir) : base(config, configPath, workDir) { }

    /// <summary>The model the config describes, seeded with its seed; the pretrained backbone is loaded when asked and configured.</summary>
    public abstract TModel BuildModel(bool loadPretrained = true);

    /// <summary>The model with a training checkpoint's weights (its EMA weights when <paramref name="ema"/> and present).</summary>
    public TModel LoadModel(string checkpoint, bool ema = false)
    {
        var model = BuildModel(loadPretrained: false);
        CheckpointStore.LoadModelWeights(checkpoint, model, ema);
        return model;
    }

    /// <summary>Loads model.backbone.pretrained into <paramref name="backbone"/> when one is configured, logging the load report.</summary>
    private protected void LoadPretrained(Backbones.IBackbone backbone)
    {
        var pretrained = Config.Model.Backbone.Pretrained;
        if (string.IsNullOrEmpty(pretrained)) return;
        if (!File.Exists(pretrained)) throw new FileNotFoundException($"model.backbone.pretrained: {pretrained} not found");
        if (Checkpoints.CheckpointKinds.IsTraining(pretrained))
            throw new UserInputException($"model.backbone.pretrained: {pretrained} is a VimDense training checkpoint (a whole model, not a backbone's weights): " +
                                         $"start from all of it with --load-from {pretrained} (load_from), or continue its run with --resume");
        var report = backbone.Load(pretrained, Config.Model.Backbone.StrictLoad);
        // A file of another model (or with other names) would otherwise train on from random weights, silently.
        var total = (backbone as nn.Module)?.state_dict().Count ?? 0;
        if (total > 0 && report.Missing.Concat(report.ShapeMismatched).Distinct().Count() >= total)
            throw new UserInputException($"model.backbone.pretrained: {pretrained} matches none of the backbone's {total} tensors ({report})");
        Console.Error.WriteLine($"pretrained {pretrained}: {report}");
    }

    /// <summary>Generates the synthetic data set when configured and absent; checks data.root and the class count.</summary>
    public abstract void PrepareData();

    /// <summary>The data set and loader settings of the config's data section.</summary>
    public abstract DataConfig Data { get; }

    /// <summary>The infinite, resumable training batches of the training split (disposable: dispose it after training).</summary>
    public abstract IResumableBatchSource<TBatch> TrainData();

    /// <summary>The trainer of <paramref name="model"/> on <paramref name="data"/>, calling <paramref name="evaluate"/> at each evaluation interval.</summary>
    public abstract Trainer<TBatch> CreateTrainer(TModel model, IResumableBatchSource<TBatch> data, Func<IReadOnlyDictionary<string, double>>? evaluate);

    /// <summary>The periodic evaluation during training (data.val_max_images validation images), split across the ranks; the result is every rank's.</summary>
    protected abstract IEvaluation Validate(TModel model);

    /// <summary>Overlays (image | ground truth | prediction) of the first <paramref name="count"/> validation images, written to <paramref name="dir"/>; returns their paths.</summary>
    protected abstract IReadOnlyList<string> WriteOverlays(TModel model, int count, string dir);

    /// <summary>The model's components, for the start-of-training log line.</summary>
    protected abstract string Describe();

    /// <summary>
    /// Trains in this process, or as one rank of a data-parallel run (mpirun / `vimdense launch`): rank 0 prepares the
    /// data and writes every output; an unhandled error on one rank ends all ranks (MPI_Abort) instead of leaving
    /// the others waiting in a collective.
    /// </summary>
    public override TrainingResult Train(bool resume = false, bool force = false)
    {
        var ranks = ProcessGroups.Current;
        if (ranks.Size == 1) return TrainRank(resume, force, ranks);
        try
        {
            return TrainRank(resume, force, ranks);
        }
        catch (Exception e) when (e is not TrainingDivergedException) // a divergence is voted: every rank stops with it
        {
            Console.Error.WriteLine($"vimdense: rank {ranks.Rank} of {ranks.Size}: {e.Message}; ending all ranks");
            ranks.Abort(1);
            throw;
        }
    }

    private TrainingResult TrainRank(bool resume, bool force, IProcessGroup ranks)
    {
        var isRoot = ranks.Rank == 0;
        if (isRoot)
        {
            // Before any work that a read-only or misnamed folder, or a run already there, would lose.
            VimDense.IO.OutputPath.CheckFolder(WorkDir, "work directory");
            WorkDirRun.CheckStart(WorkDir, resume, force);
        }
        // Rank 0 generates the synthetic data set when needed; the others check it once it is there.
        if (isRoot) PrepareData();
        ranks.Barrier();
        if (!isRoot) PrepareData();
        Directory.CreateDirectory(WorkDir);
        // load_from (mmseg's): the whole model's weights replace the initialisation, the pretrained backbone's too; a
        // resumed run has them in its own checkpoint.
        var loadFrom = resume ? null : Config.LoadFrom is { Length: > 0 } from ? from : null;
        var model = BuildModel(loadPretrained: !resume && loadFrom is null);
        if (loadFrom is not null)
        {
            CheckpointStore.LoadModelWeights(loadFrom, model, use: "load_from (--load-from)");
            if (isRoot) Console.Error.WriteLine($"load_from {loadFrom}: whole-model weights loaded (optimizer, schedule and iteration start afresh)");
        }
        if (isRoot)
        {
            Console.Error.WriteLine($"model: {Describe()}, {model.parameters().Sum(p => p.numel()):N0} parameters; work dir {WorkDir}");
            WarnIfPrecisionIsSlowHere("train.precision", Config.Train.Precision);
            WarnIfPrecisionIsSlowHere("test.precision", TestRun.Precision);
        }
        var data = TrainData();
        if (isRoot)
        {
            // Only a run that has started replaces the previous one's files and the resolved config: a run that fails
            // before this point (a bad value, missing data) leaves the work directory as it was.
            var removed = force ? WorkDirRun.Remove(WorkDir) : 0;
            if (removed > 0) Console.Error.WriteLine($"--force: removed {removed} file(s) of the previous run in {WorkDir}");
            VimDense.IO.AtomicFile.WriteAllText(Path.Combine(WorkDir, "config.json"), ConfigLoader.Serialize(Config));
        }
        IEvaluation? last = null;
        var trainer = CreateTrainer(model, data, () =>
        {
            last = Validate(model);
            return last.Summary();
        });
        try
        {
            trainer.Run(resume);
        }
        finally
        {
            (data as IDisposable)?.Dispose();
        }

        // The evaluation of the last iteration (run by the trainer, on EMA weights when enabled), or a fresh one
        // when the run had nothing left to do; then a few overlays and the loss curve.
        var result = last ?? Validate(model);
        var checkpoint = trainer.LastCheckpoint ?? "";
        if (!isRoot) return new TrainingResult(result, checkpoint, trainer.BestCheckpoint, WorkDir);
        if (Config.Train.OverlayImages > 0) WriteFinalOverlays(model);
        File.WriteAllText(Path.Combine(WorkDir, "metrics.json"), result.ToJson(checkpoint).ToString());
        File.WriteAllText(Path.Combine(WorkDir, "metrics.txt"), result.FormatTable());
        TrainingCurves.Write(WorkDir);
        return new TrainingResult(result, checkpoint, trainer.BestCheckpoint, WorkDir);
    }

    /// <summary>
    /// The overlays of the first train.overlay_images validation images in overlays/, and with train.tensor_board the
    /// same pictures as TensorBoard images ("val/overlay/&lt;image&gt;") at the last iteration.
    /// </summary>
    private void WriteFinalOverlays(TModel model)
    {
        var written = WriteOverlays(model, Config.Train.OverlayImages, Path.Combine(WorkDir, "overlays"));
        if (!Config.Train.TensorBoard || written.Count == 0) return;
        using var log = new TrainingLog(WorkDir, tensorBoard: true);
        log.WriteImages("val/overlay", Config.Schedule.Iterations, written);
    }

    /// <summary>
    /// Training loader options: data.batch_size (per process, as mmseg's samples_per_gpu) split into
    /// optimizer.accumulation_steps micro-batches; each rank loads its share of the one global sample stream.
    /// </summary>
    public DataLoaderOptions TrainLoaderOptions()
    {
        var d = Data;
        var accumulation = Math.Max(1, Config.Optimizer.AccumulationSteps);
        if (d.BatchSize % accumulation != 0)
            throw new UserInputException($"data.batch_size {d.BatchSize} is not divisible by optimizer.accumulation_steps {accumulation}");
        var ranks = ProcessGroups.Current;
        return new DataLoaderOptions
        {
            BatchSize = d.BatchSize / accumulation, Workers = d.Workers, Prefetch = d.Prefetch, Seed = Config.Seed,
            Rank = ranks.Rank, WorldSize = ranks.Size,
            SkipBadSamples = d.OnBadSample == BadSamplePolicy.Skip,
        };
    }
}

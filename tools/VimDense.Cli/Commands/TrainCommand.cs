using System.CommandLine;
using VimDense.Cli.Experiments;
using VimDense.Datasets;
using VimDense.Datasets.Loading;
using VimDense.Engine;

namespace VimDense.Cli.Commands;

/// <summary>
/// `vimdense train CONFIG [--resume] [--work-dir DIR] [--set k=v ...]`: trains a segmentor (or, for a config with
/// task "detection", a Cascade Mask R-CNN: see <see cref="DetectionRuns.Train"/>), evaluating periodically, and leaves
/// in the work directory the checkpoints (latest, best by mIoU / bbox AP), log.jsonl, TensorBoard events,
/// metrics.json / metrics.txt, loss_curve.png and prediction overlays.
/// </summary>
public sealed class TrainCommand : ICliCommand
{
    public Command Build()
    {
        var config = new Argument<string>("config") { Description = "Experiment config (JSON), e.g. configs/demo/upernet_vim_tiny_synthetic.json" };
        var resume = new Option<bool>("--resume") { Description = "Continue from the work directory's latest checkpoint" };
        var workDir = new Option<string?>("--work-dir") { Description = "Output folder (default: work_dirs/<config name>)" };
        var set = new Option<string[]>("--set") { Description = "Override a config value: a.b=c (repeatable)", AllowMultipleArgumentsPerToken = true };
        var command = new Command("train", "Train a segmentation or detection model from a config");
        command.Arguments.Add(config);
        command.Options.Add(resume);
        command.Options.Add(workDir);
        command.Options.Add(set);
        command.SetAction(parse =>
        {
            var (path, overrides) = (parse.GetValue(config)!, parse.GetValue(set));
            try
            {
                return ExperimentTask.IsDetection(path, overrides)
                    ? DetectionRuns.Train(DetectionExperiment.Load(path, overrides, parse.GetValue(workDir)), parse.GetValue(resume))
                    : Run(SegmentationExperiment.Load(path, overrides, parse.GetValue(workDir)), parse.GetValue(resume));
            }
            catch (TrainingDivergedException e)
            {
                Console.Error.WriteLine($"vimdense: training diverged: {e.Message}");
                return 3;
            }
        });
        return command;
    }

    private static int Run(SegmentationExperiment experiment, bool resume)
    {
        var cfg = experiment.Config;
        experiment.PrepareData();
        Directory.CreateDirectory(experiment.WorkDir);
        File.WriteAllText(Path.Combine(experiment.WorkDir, "config.json"), Config.ConfigLoader.Serialize(cfg));
        var model = experiment.BuildModel(loadPretrained: !resume);
        var parameters = model.parameters().Sum(p => p.numel());
        Console.Error.WriteLine($"model: {cfg.Model.Backbone.Type} + {cfg.Model.Neck.Type} + {cfg.Model.DecodeHead.Type}, {parameters:N0} parameters; work dir {experiment.WorkDir}");
        var trainSet = experiment.Dataset(cfg.Data.TrainSplit, train: true);
        using var data = new LoaderBatchSource<SegmentationSample, SegmentationBatch>(
            o => DataSetup.SegmentationLoader(trainSet, o, train: true), experiment.TrainLoaderOptions());
        Datasets.Evaluation.SegmentationMetricResult? lastResult = null;
        var trainer = experiment.CreateTrainer(model, data, () =>
        {
            lastResult = experiment.Evaluate(model, cfg.Data.ValMaxImages);
            return SegmentationExperiment.Summary(lastResult);
        });
        trainer.Run(resume);

        // Final report: the evaluation of the last iteration (run by the trainer, on EMA weights when enabled),
        // or a fresh one when the run had nothing left to do; then the loss curve and a few overlays.
        var overlays = Path.Combine(experiment.WorkDir, "overlays");
        var result = lastResult ?? experiment.Evaluate(model, cfg.Data.ValMaxImages);
        if (cfg.Train.OverlayImages > 0) experiment.Evaluate(model, cfg.Train.OverlayImages, overlays: cfg.Train.OverlayImages, overlayDir: overlays);
        var checkpoint = trainer.LastCheckpoint ?? "";
        File.WriteAllText(Path.Combine(experiment.WorkDir, "metrics.json"), SegmentationExperiment.MetricsJson(result, checkpoint).ToString());
        File.WriteAllText(Path.Combine(experiment.WorkDir, "metrics.txt"), result.FormatTable());
        var log = Path.Combine(experiment.WorkDir, "log.jsonl");
        LossCurvePlot.Write(Path.Combine(experiment.WorkDir, "loss_curve.png"), Engine.TrainingLog.ReadSeries(log, "train", "loss"), "training loss");
        Console.WriteLine(result.FormatTable());
        Console.WriteLine($"checkpoint: {checkpoint}");
        if (trainer.BestCheckpoint is not null) Console.WriteLine($"best checkpoint: {trainer.BestCheckpoint}");
        Console.WriteLine($"work dir: {experiment.WorkDir}");
        return 0;
    }
}

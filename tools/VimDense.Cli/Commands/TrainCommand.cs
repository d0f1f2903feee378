using System.CommandLine;
using VimDense.Engine.Distributed;
using VimDense.Experiments;

namespace VimDense.Cli.Commands;

/// <summary>
/// `vimdense train CONFIG [--resume | --force] [--work-dir DIR] [--load-from CKPT] [--set k=v ...] [k=v ...]`: trains a segmentor (or, for
/// a config with task "detection", a Cascade Mask R-CNN: see <see cref="Experiment.Train"/>), evaluating periodically,
/// and leaves in the work directory the checkpoints (latest, best by mIoU / bbox AP), log.jsonl, TensorBoard events,
/// metrics.json / metrics.txt, loss/lr/val curves and prediction overlays. A work directory that already holds a run is
/// refused (exit 1) unless --resume continues it or --force removes its files and starts over. Started by mpirun (or `vimdense launch`), each
/// process is one data-parallel rank.
/// </summary>
public sealed class TrainCommand : ICliCommand
{
    public Command Build()
    {
        var config = new Argument<string>("config") { Description = "Experiment config (JSON), e.g. configs/demo/upernet_vim_tiny_synthetic.json" };
        var resume = new Option<bool>("--resume") { Description = "Continue from the work directory's latest checkpoint" };
        var force = new Option<bool>("--force") { Description = "Start over in a work directory that holds a run, after removing that run's checkpoints, log and outputs" };
        var workDir = new Option<string?>("--work-dir") { Description = "Output folder (default: work_dirs/<config name>)" };
        var loadFrom = new Option<string?>("--load-from") { Description = "Start from a whole model's weights (training checkpoint or whole-model state dict; not a resume: load_from)" };
        var set = new ConfigOverrides();
        var device = new DeviceOption(defaultsToConfig: true);
        var precision = new PrecisionOption("train.precision", "test.precision");
        var command = new Command("train", "Train a segmentation or detection model from a config");
        command.Arguments.Add(config);
        command.Options.Add(resume);
        command.Options.Add(force);
        command.Options.Add(workDir);
        command.Options.Add(loadFrom);
        device.AddTo(command);
        precision.AddTo(command);
        set.AddTo(command);
        command.SetAction(parse =>
        {
            var experiment = Experiment.FromConfig(parse.GetValue(config)!, device.AppendTo(parse, precision.Apply(parse, set.Values(parse))), parse.GetValue(workDir));
            if (parse.GetValue(loadFrom) is { } weights) experiment.Config.LoadFrom = weights;
            // A diverged run (TrainingDivergedException) ends in CliApp's error path with exit code 3.
            var result = experiment.Train(parse.GetValue(resume), parse.GetValue(force));
            // Under mpirun every rank runs this command: rank 0 reports, and MPI ends cleanly on success.
            var ranks = ProcessGroups.Current;
            ProcessGroups.Finish();
            if (ranks.Rank != 0) return 0;
            Console.WriteLine(result.Evaluation.FormatTable());
            Console.WriteLine($"checkpoint: {result.Checkpoint}");
            if (result.BestCheckpoint is not null) Console.WriteLine($"best checkpoint: {result.BestCheckpoint}");
            Console.WriteLine($"work dir: {result.WorkDir}");
            return 0;
        });
        return command;
    }
}

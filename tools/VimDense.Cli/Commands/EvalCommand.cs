using System.CommandLine;
using VimDense.Cli.Experiments;
using VimDense.Engine;

namespace VimDense.Cli.Commands;

/// <summary>
/// `vimdense eval CONFIG --checkpoint C [--out DIR]`: mIoU table on the validation split, predictions as PNG; for a
/// detection config, the COCO bbox and segm AP tables and the results JSON files.
/// </summary>
public sealed class EvalCommand : ICliCommand
{
    public Command Build()
    {
        var config = new Argument<string>("config") { Description = "Experiment config (JSON)" };
        var checkpoint = new Option<string>("--checkpoint") { Description = "Training checkpoint (.safetensors written by vimdense train)", Required = true };
        var output = new Option<string?>("--out") { Description = "Folder for prediction PNGs (train ids), overlays and metrics.json (detection: results_{bbox,segm}.json, default <work dir>/eval)" };
        var maxImages = new Option<int>("--max-images") { Description = "Evaluate the first N images only (0: all)" };
        var ema = new Option<bool>("--ema") { Description = "Use the EMA weights when the checkpoint has them" };
        var set = new Option<string[]>("--set") { Description = "Override a config value: a.b=c", AllowMultipleArgumentsPerToken = true };
        var command = new Command("eval", "Evaluate a trained checkpoint (segmentation: mIoU, mAcc, aAcc; detection: COCO bbox and segm AP)");
        command.Arguments.Add(config);
        foreach (var option in new Option[] { checkpoint, output, maxImages, ema, set }) command.Options.Add(option);
        command.SetAction(parse =>
        {
            if (ExperimentTask.IsDetection(parse.GetValue(config)!, parse.GetValue(set)))
                return DetectionRuns.Eval(DetectionExperiment.Load(parse.GetValue(config)!, parse.GetValue(set), null), parse.GetValue(checkpoint)!,
                    parse.GetValue(ema), parse.GetValue(maxImages), parse.GetValue(output));
            var experiment = SegmentationExperiment.Load(parse.GetValue(config)!, parse.GetValue(set), null);
            var model = experiment.BuildModel(loadPretrained: false);
            var path = parse.GetValue(checkpoint)!;
            CheckpointStore.LoadModelWeights(path, model, parse.GetValue(ema));
            var outDir = parse.GetValue(output);
            var result = experiment.Evaluate(model, parse.GetValue(maxImages) > 0 ? parse.GetValue(maxImages) : experiment.Config.Data.ValMaxImages,
                outDir is null ? null : Path.Combine(outDir, "predictions"), overlays: outDir is null ? 0 : experiment.Config.Train.OverlayImages,
                overlayDir: outDir is null ? null : Path.Combine(outDir, "overlays"));
            if (outDir is not null) File.WriteAllText(Path.Combine(outDir, "metrics.json"), SegmentationExperiment.MetricsJson(result, path).ToString());
            Console.WriteLine(result.FormatTable());
            return 0;
        });
        return command;
    }
}

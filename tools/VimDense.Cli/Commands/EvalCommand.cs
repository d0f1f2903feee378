using System.CommandLine;
using VimDense.Experiments;

namespace VimDense.Cli.Commands;

/// <summary>
/// `vimdense eval CONFIG --checkpoint C [--out DIR] [KEY=VALUE ...]` (alias `test`): mIoU table on the validation
/// split, predictions as PNG; for a detection config, the COCO bbox and segm AP tables and the results JSON files.
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
        var set = new ConfigOverrides();
        var precision = new PrecisionOption("test.precision");
        var command = new Command("eval", "Evaluate a trained checkpoint (segmentation: mIoU, mAcc, aAcc; detection: COCO bbox and segm AP)");
        command.Aliases.Add("test"); // mmseg's and detectron2's name for it
        command.Arguments.Add(config);
        foreach (var option in new Option[] { checkpoint, output, maxImages, ema }) command.Options.Add(option);
        precision.AddTo(command);
        set.AddTo(command);
        command.SetAction(parse =>
        {
            var experiment = Experiment.FromConfig(parse.GetValue(config)!, precision.Apply(parse, set.Values(parse)));
            if (parse.GetValue(output) is { } outDir) VimDense.IO.OutputPath.CheckFolder(outDir, "evaluation output");
            var result = experiment.Evaluate(parse.GetValue(checkpoint)!, parse.GetValue(ema), parse.GetValue(maxImages), parse.GetValue(output));
            Console.WriteLine(result.FormatTable());
            if (result is DetectionEvaluation detection)
                Console.WriteLine($"results: {detection.BboxResultsPath}" + (detection.SegmResultsPath is null ? "" : $", {detection.SegmResultsPath}"));
            return 0;
        });
        return command;
    }
}

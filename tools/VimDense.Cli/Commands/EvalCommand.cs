using System.CommandLine;
using VimDense.Experiments;

namespace VimDense.Cli.Commands;

/// <summary>
/// `vimdense eval CONFIG --checkpoint C [--out DIR] [KEY=VALUE ...]` (alias `test`): mIoU table on the validation
/// split, predictions as PNG (in the data set's encoding); for a detection config, the COCO bbox and segm AP tables and
/// the results JSON files. `--format-only` (or test.format_only) writes the predictions of test.split without reading
/// annotations or scoring (ADE20K's testing images, COCO test-dev's image-info file).
/// </summary>
public sealed class EvalCommand : ICliCommand
{
    public Command Build()
    {
        var config = new Argument<string>("config") { Description = "Experiment config (JSON)" };
        var checkpoint = new Option<string>("--checkpoint") { Description = "Whole-model checkpoint: iter_N.safetensors from vimdense train, or a whole-model state dict (.pth/.safetensors)", Required = true };
        var output = new Option<string?>("--out") { Description = "Folder for prediction PNGs (the data set's encoding: ADE20K 1..150), overlays and metrics.json (detection: results_{bbox,segm}.json, default <work dir>/eval)" };
        var formatOnly = new Option<bool>("--format-only") { Description = "Write the predictions of test.split (default data.val_split) without annotations or scores (test.format_only)" };
        var maxImages = new Option<int>("--max-images") { Description = "Evaluate the first N images only (0: all)" };
        var ema = new Option<bool>("--ema") { Description = "Use the EMA weights when the checkpoint has them" };
        var set = new ConfigOverrides();
        var device = new DeviceOption(defaultsToConfig: true);
        var precision = new PrecisionOption("test.precision");
        var command = new Command("eval", "Evaluate a trained checkpoint (segmentation: mIoU, mAcc, aAcc; detection: COCO bbox and segm AP)");
        command.Aliases.Add("test"); // mmseg's and detectron2's name for it
        command.Arguments.Add(config);
        foreach (var option in new Option[] { checkpoint, output, maxImages, ema, formatOnly }) command.Options.Add(option);
        device.AddTo(command);
        precision.AddTo(command);
        set.AddTo(command);
        command.SetAction(parse =>
        {
            var experiment = Experiment.FromConfig(parse.GetValue(config)!, device.AppendTo(parse, precision.Apply(parse, set.Values(parse))));
            var outDir = parse.GetValue(output);
            if (parse.GetValue(formatOnly) || experiment.TestRun.FormatOnly)
            {
                var dir = outDir ?? Path.Combine(experiment.WorkDir, "eval");
                VimDense.IO.OutputPath.CheckFolder(dir, "evaluation output");
                Console.WriteLine(experiment.FormatResults(parse.GetValue(checkpoint)!, dir, parse.GetValue(ema), parse.GetValue(maxImages)).Describe());
                return 0;
            }
            if (outDir is not null) VimDense.IO.OutputPath.CheckFolder(outDir, "evaluation output");
            var result = experiment.Evaluate(parse.GetValue(checkpoint)!, parse.GetValue(ema), parse.GetValue(maxImages), outDir);
            Console.WriteLine(result.FormatTable());
            if (result is DetectionEvaluation detection)
                Console.WriteLine($"results: {detection.BboxResultsPath}" + (detection.SegmResultsPath is null ? "" : $", {detection.SegmResultsPath}"));
            return 0;
        });
        return command;
    }
}

using System.CommandLine;
using VimDense.Experiments;

namespace VimDense.Cli.Commands;

/// <summary>
/// `vimdense confusion-matrix CONFIG --checkpoint C [--out DIR] [--max-images N]`: a segmentation checkpoint's pixel
/// confusion matrix on the validation split as confusion_matrix.csv (row-normalised), confusion_counts.csv and
/// confusion_matrix.png; prints the mIoU table of the same pass.
/// </summary>
public sealed class ConfusionMatrixCommand : ICliCommand
{
    public Command Build()
    {
        var config = new Argument<string>("config") { Description = "Segmentation experiment config (JSON)" };
        var checkpoint = new Option<string>("--checkpoint") { Description = "Training checkpoint (.safetensors written by vimdense train)", Required = true };
        var output = new Option<string?>("--out") { Description = "Folder for the CSVs and the PNG (default <work dir>/confusion_matrix)" };
        var maxImages = new Option<int>("--max-images") { Description = "Use the first N validation images only (0: data.val_max_images, else all)" };
        var ema = new Option<bool>("--ema") { Description = "Use the EMA weights when the checkpoint has them" };
        var set = new ConfigOverrides();
        var command = new Command("confusion-matrix", "Pixel confusion matrix of a segmentation checkpoint on the validation split (CSV and PNG, normalised per row)");
        command.Arguments.Add(config);
        foreach (var option in new Option[] { checkpoint, output, maxImages, ema }) command.Options.Add(option);
        set.AddTo(command);
        command.SetAction(parse =>
        {
            var experiment = Experiment.FromConfig<SegmentationExperiment>(parse.GetValue(config)!, set.Values(parse));
            var model = experiment.LoadModel(parse.GetValue(checkpoint)!, parse.GetValue(ema));
            var (matrix, evaluation) = ConfusionAnalysis.Compute(experiment, model, parse.GetValue(maxImages));
            Console.WriteLine(evaluation.FormatTable());
            var outDir = parse.GetValue(output) ?? Path.Combine(experiment.WorkDir, "confusion_matrix");
            foreach (var path in ConfusionAnalysis.Write(outDir, matrix, experiment.ClassNames())) Console.WriteLine($"wrote {Path.GetFullPath(path)}");
            return 0;
        });
        return command;
    }
}

using System.CommandLine;
using VimDense.Experiments;

namespace VimDense.Cli.Commands;

/// <summary>
/// `vimdense predict CONFIG --checkpoint C --images DIR --out DIR`: colour overlays (and label PNGs) for a folder of
/// images; for a detection config, overlays with masks, boxes and class names (--score-threshold).
/// </summary>
public sealed class PredictCommand : ICliCommand
{
    private static readonly string[] Extensions = [".jpg", ".jpeg", ".png", ".bmp"];

    public Command Build()
    {
        var config = new Argument<string>("config") { Description = "Experiment config (JSON)" };
        var checkpoint = new Option<string>("--checkpoint") { Description = "Training checkpoint", Required = true };
        var images = new Option<string>("--images") { Description = "Folder of images", Required = true };
        var output = new Option<string>("--out") { Description = "Output folder", Required = true };
        var set = new ConfigOverrides();
        var precision = new PrecisionOption("test.precision");
        var threshold = new Option<double?>("--score-threshold") { Description = "Detection: draw detections scoring at least this (default: test.overlay_score_threshold)" };
        var command = new Command("predict", "Segment (or detect objects in) a folder of images and write colour overlays");
        command.Arguments.Add(config);
        foreach (var option in new Option[] { checkpoint, images, output, threshold }) command.Options.Add(option);
        precision.AddTo(command);
        set.AddTo(command);
        command.SetAction(parse =>
        {
            var experiment = Experiment.FromConfig(parse.GetValue(config)!, precision.Apply(parse, set.Values(parse)));
            var files = ImageFilesIn(parse.GetValue(images)!);
            var (path, outDir) = (parse.GetValue(checkpoint)!, parse.GetValue(output)!);
            VimDense.IO.OutputPath.CheckFolder(outDir, "prediction");
            if (experiment is DetectionExperiment detection)
            {
                var predictor = new DetectionPredictor(detection, path);
                if (parse.GetValue(threshold) is { } t) predictor.ScoreThreshold = t;
                foreach (var file in files)
                {
                    var overlay = Path.Combine(outDir, Path.GetFileNameWithoutExtension(file) + "_overlay.png");
                    var count = predictor.WriteOverlay(file, overlay);
                    Console.WriteLine($"{Path.GetFileNameWithoutExtension(file)}\t{count}\t{overlay}");
                }
                return 0;
            }
            var segmentor = new SegmentationPredictor((SegmentationExperiment)experiment, path);
            foreach (var file in files)
            {
                using var prediction = segmentor.Predict(file);
                var overlay = Path.Combine(outDir, prediction.Name + "_overlay.png");
                prediction.WriteOverlay(overlay, file);
                prediction.WriteLabels(Path.Combine(outDir, prediction.Name + ".png"));
                Console.WriteLine($"{prediction.Name}\t{overlay}");
            }
            return 0;
        });
        return command;
    }

    private static List<string> ImageFilesIn(string folder)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"--images: {folder} not found");
        var files = Directory.GetFiles(folder).Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant())).Order().ToList();
        if (files.Count == 0) throw new UserInputException($"--images: no .jpg/.png images in {folder}");
        return files;
    }
}

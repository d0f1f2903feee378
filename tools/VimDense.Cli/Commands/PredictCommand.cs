using System.CommandLine;
using VimDense.Engine.Logging;
using VimDense.Experiments;

namespace VimDense.Cli.Commands;

/// <summary>
/// `vimdense predict CONFIG --checkpoint C --images DIR --out DIR`: colour overlays (and label PNGs) for a folder of
/// images; for a detection config, overlays with masks, boxes and class names (--score-threshold). With --json, the
/// outputs other tools read instead of overlays: COCO results files and images.json (detection), label PNGs in the data
/// set's encoding (segmentation).
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
        var threshold = new Option<double?>("--score-threshold") { Description = "Detection: keep detections scoring at least this (default: overlays test.overlay_score_threshold, --json all the detector keeps)" };
        var json = new Option<bool>("--json") { Description = "No overlays: COCO results_bbox.json/results_segm.json + images.json (detection), label PNGs (segmentation)" };
        var device = new DeviceOption(defaultsToConfig: true);
        var precision = new PrecisionOption("test.precision");
        var command = new Command("predict", "Segment (or detect objects in) a folder of images and write colour overlays");
        command.Arguments.Add(config);
        foreach (var option in new Option[] { checkpoint, images, output, threshold, json }) command.Options.Add(option);
        device.AddTo(command);
        precision.AddTo(command);
        set.AddTo(command);
        command.SetAction(parse =>
        {
            var experiment = Experiment.FromConfig(parse.GetValue(config)!, device.AppendTo(parse, precision.Apply(parse, set.Values(parse))));
            var files = ImageFilesIn(parse.GetValue(images)!);
            var (path, outDir) = (parse.GetValue(checkpoint)!, parse.GetValue(output)!);
            VimDense.IO.OutputPath.CheckFolder(outDir, "prediction");
            var progress = new ProgressBar(files.Count, 0); // on stderr: stdout lists the outputs
            if (experiment is DetectionExperiment detection)
            {
                var predictor = new DetectionPredictor(detection, path);
                if (parse.GetValue(json)) predictor.ScoreThreshold = 0; // results files keep every detection, as eval's do
                if (parse.GetValue(threshold) is { } t) predictor.ScoreThreshold = t;
                if (parse.GetValue(json))
                {
                    var written = CocoPredictionFiles.Write(detection, predictor, files, outDir, (file, count) => Console.WriteLine($"{Path.GetFileNameWithoutExtension(file)}\t{count}"));
                    Console.WriteLine($"results: {string.Join(", ", written)}");
                    return 0;
                }
                foreach (var file in files)
                {
                    var overlay = Path.Combine(outDir, Path.GetFileNameWithoutExtension(file) + "_overlay.png");
                    var count = predictor.WriteOverlay(file, overlay);
                    Console.WriteLine($"{Path.GetFileNameWithoutExtension(file)}\t{count}\t{overlay}");
                    progress.Report(files.IndexOf(file) + 1, "");
                }
                progress.Finish();
                return 0;
            }
            var segmentor = new SegmentationPredictor((SegmentationExperiment)experiment, path);
            foreach (var file in files)
            {
                using var prediction = segmentor.Predict(file);
                var labels = Path.Combine(outDir, prediction.Name + ".png");
                prediction.WriteLabels(labels);
                if (parse.GetValue(json))
                {
                    Console.WriteLine($"{prediction.Name}\t{labels}");
                    continue;
                }
                var overlay = Path.Combine(outDir, prediction.Name + "_overlay.png");
                prediction.WriteOverlay(overlay, file);
                Console.WriteLine($"{prediction.Name}\t{overlay}");
                progress.Report(files.IndexOf(file) + 1, "");
            }
            progress.Finish();
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

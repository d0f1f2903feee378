using System.CommandLine;
using VimDense.Cli.Experiments;
using VimDense.Datasets.Transforms;
using VimDense.Engine;
using static TorchSharp.torch;

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
        var set = new Option<string[]>("--set") { Description = "Override a config value: a.b=c", AllowMultipleArgumentsPerToken = true };
        var threshold = new Option<double?>("--score-threshold") { Description = "Detection: draw detections scoring at least this (default: test.overlay_score_threshold)" };
        var command = new Command("predict", "Segment (or detect objects in) a folder of images and write colour overlays");
        command.Arguments.Add(config);
        foreach (var option in new Option[] { checkpoint, images, output, set, threshold }) command.Options.Add(option);
        command.SetAction(parse =>
        {
            if (ExperimentTask.IsDetection(parse.GetValue(config)!, parse.GetValue(set)))
                return DetectionRuns.Predict(DetectionExperiment.Load(parse.GetValue(config)!, parse.GetValue(set), null), parse.GetValue(checkpoint)!,
                    parse.GetValue(images)!, parse.GetValue(output)!, parse.GetValue(threshold));
            var experiment = SegmentationExperiment.Load(parse.GetValue(config)!, parse.GetValue(set), null);
            var folder = parse.GetValue(images)!;
            if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"--images: {folder} not found");
            var files = Directory.GetFiles(folder).Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant())).Order().ToList();
            if (files.Count == 0) throw new UserInputException($"--images: no .jpg/.png images in {folder}");
            var model = experiment.BuildModel(loadPretrained: false);
            CheckpointStore.LoadModelWeights(parse.GetValue(checkpoint)!, model);
            model.eval();
            var d = experiment.Config.Data;
            var pipeline = new SegmentationTestPipeline(new SegmentationPipelineOptions
            {
                Scale = (d.Scale[0], d.Scale[1]), Normalize = new NormalizeOptions(d.Mean.ToArray(), d.Std.ToArray()),
            });
            var outDir = parse.GetValue(output)!;
            var inference = experiment.Inference;
            foreach (var file in files)
            {
                using var scope = NewDisposeScope();
                using var bgr = ImageFiles.ReadColor(file);
                using var blank = new OpenCvSharp.Mat(bgr.Rows, bgr.Cols, OpenCvSharp.MatType.CV_8UC1, OpenCvSharp.Scalar.All(0));
                var sample = pipeline.Apply(bgr, blank, Path.GetFileNameWithoutExtension(file), new Random(0));
                var image = tensor(sample.Image).reshape(1, 3, sample.Height, sample.Width);
                var scores = model.Predict(image, sample.OriginalHeight, sample.OriginalWidth, inference);
                var prediction = scores.argmax(1)[0].to(ScalarType.Byte).contiguous().data<byte>().ToArray();
                var name = Path.GetFileNameWithoutExtension(file);
                SegmentationExperiment.WriteOverlay(Path.Combine(outDir, name + "_overlay.png"), file, prediction, sample.OriginalHeight, sample.OriginalWidth);
                Datasets.Evaluation.SegmentationPng.Write(Path.Combine(outDir, name + ".png"), prediction, sample.OriginalHeight, sample.OriginalWidth);
                Console.WriteLine($"{name}\t{Path.Combine(outDir, name + "_overlay.png")}");
            }
            return 0;
        });
        return command;
    }
}

using System.CommandLine;
using VimDense.IO;
using OpenCvSharp;
using VimDense.Datasets;
using VimDense.Datasets.Synthetic;
using VimDense.Experiments;

namespace VimDense.Cli.Commands;

/// <summary>
/// `vimdense show ade20k|coco DIR --index i [--augment] [--config C] --output x.png`: draws a sample with its labels,
/// through a config's training (--augment) or test pipeline, else the default pipelines at --size.
/// </summary>
public sealed class ShowCommand : ICliCommand
{
    public Command Build()
    {
        var kind = new Argument<string>("kind") { Description = "ade20k or coco" };
        var dir = new Argument<string>("dir") { Description = "data set root (ADEChallengeData2016 layout or COCO layout)" };
        var index = new Option<int>("--index") { Description = "sample index", DefaultValueFactory = _ => 0 };
        var augment = new Option<bool>("--augment") { Description = "apply the training pipeline (else the test pipeline)" };
        var split = new Option<string>("--split") { Description = "training or validation (COCO: also train2017/val2017)", DefaultValueFactory = _ => "training" };
        var size = new Option<int>("--size") { Description = "crop size (segmentation) or LSJ image size (detection)", DefaultValueFactory = _ => 512 };
        var seed = new Option<int>("--seed") { Description = "augmentation seed", DefaultValueFactory = _ => 0 };
        var output = new Option<string>("--output") { Description = "PNG file to write", Required = true };
        var config = new Option<string?>("--config") { Description = "Experiment config whose pipelines (and class count) to use; --size is then ignored" };
        var set = new ConfigOverrides();
        var command = new Command("show", "Draw a data set sample (optionally augmented) with its labels, boxes and masks");
        command.Arguments.Add(kind);
        command.Arguments.Add(dir);
        foreach (var option in new Option[] { index, augment, split, size, seed, output, config }) command.Options.Add(option);
        set.AddTo(command);
        command.SetAction(parse =>
        {
            var (root, i, train) = (parse.GetValue(dir)!, parse.GetValue(index), parse.GetValue(augment));
            OutputPath.CheckFile(parse.GetValue(output)!, "PNG");
            if (parse.GetValue(size) < 16) throw new UserInputException($"--size {parse.GetValue(size)}: must be >= 16 pixels");
            var rng = new Random(parse.GetValue(seed));
            var configPath = parse.GetValue(config);
            var experiment = configPath is null ? null : Experiment.FromConfig(configPath, set.Values(parse));
            using var picture = parse.GetValue(kind) switch
            {
                "ade20k" => Segmentation(root, parse.GetValue(split)!, train, parse.GetValue(size), i, rng, Expect<SegmentationExperiment>(experiment, "ade20k")),
                "coco" => Detection(root, parse.GetValue(split)!, train, parse.GetValue(size), i, rng, Expect<DetectionExperiment>(experiment, "coco")),
                var other => throw new UserInputException($"show: unknown kind '{other}' (expected ade20k or coco)"),
            };
            var path = parse.GetValue(output)!;
            if (!Cv2.ImWrite(path, picture)) throw new UserInputException($"{path}: cannot write the image");
            Console.WriteLine($"wrote {picture.Width}x{picture.Height} {Path.GetFullPath(path)}");
            return 0;
        });
        return command;
    }

    private static void CheckIndex(int index, int count)
    {
        if (index < 0 || index >= count) throw new UserInputException($"--index {index} is out of range (the split has {count} samples)");
    }

    private static T? Expect<T>(Experiment? experiment, string kind) where T : Experiment => experiment switch
    {
        null => null,
        T typed => typed,
        _ => throw new UserInputException($"--config {experiment.ConfigPath}: task '{experiment.Config.Task}' does not match show {kind}"),
    };

    private static Mat Segmentation(string root, string split, bool train, int size, int index, Random rng, SegmentationExperiment? experiment)
    {
        var dataset = experiment?.Dataset(split, train, root) ?? DataSetup.Ade20k(root, split, train, size);
        CheckIndex(index, dataset.Count);
        var sample = dataset.Get(index, rng);
        return SampleOverlay.Segmentation(sample, (experiment?.PipelineOptions() ?? DataSetup.SegmentationOptions(size)).Normalize, experiment?.Classes.Palette);
    }

    private static Mat Detection(string root, string split, bool train, int size, int index, Random rng, DetectionExperiment? experiment)
    {
        var dataset = experiment?.Dataset(split, train, root) ?? DataSetup.Coco(root, split, train, size);
        CheckIndex(index, dataset.Count);
        var sample = dataset.Get(index, rng);
        var names = experiment?.ClassNames() ?? SyntheticInfo.ClassNames(root) ?? dataset.Annotations.Categories.Select(c => c.Name).ToList();
        return SampleOverlay.Detection(sample, (experiment?.PipelineOptions() ?? DataSetup.DetectionOptions(size)).Normalize, names);
    }
}

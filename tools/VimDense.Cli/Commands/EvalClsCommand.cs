using System.CommandLine;
using TorchSharp;
using VimDense.Backbones;
using VimDense.Config;
using VimDense.Datasets.Classification;
using VimDense.Datasets.Transforms;
using VimDense.Engine.Logging;
using VimDense.Experiments;
using VimDense.IO;
using static TorchSharp.torch;

namespace VimDense.Cli.Commands;

/// <summary>
/// `vimdense eval-cls [CONFIG] [--model NAME] --checkpoint X --data IMAGENET_VAL_DIR [--labels FILE]`: ImageNet top-1 /
/// top-5 of a classification checkpoint with hustvl/Vim's evaluation transform (<see cref="ClassificationEvaluator"/>).
/// </summary>
public sealed class EvalClsCommand : ICliCommand
{
    public Command Build()
    {
        var config = new Argument<string?>("config") { Description = "Config whose model.backbone (type, options) describes the classifier (instead of --model)", Arity = ArgumentArity.ZeroOrOne };
        var model = new Option<string?>("--model") { Description = $"Backbone: {string.Join(", ", BackboneFactory.Names)}" };
        var checkpoint = new Option<string>("--checkpoint") { Description = "Classification weights (.pth plain or {\"model\": ...}, or .safetensors)", Required = true };
        var data = new Option<string>("--data") { Description = "ImageFolder root (one sub-folder per class, sorted names = class indices) or, with --labels, a flat folder", Required = true };
        var labels = new Option<string?>("--labels") { Description = "Labels file: \"relative/path class_index\" per line, paths relative to --data" };
        var inputSize = new Option<int>("--input-size") { Description = "Crop size (the model's configured image size)", DefaultValueFactory = _ => 224 };
        var cropRatio = new Option<double>("--crop-ratio") { Description = "Shorter side resized to int(input / ratio)", DefaultValueFactory = _ => 0.875 };
        var stride = new Option<int?>("--stride") { Description = "Patch stride (default: from the checkpoint's position embedding: 8 for the \"+\" models)" };
        var batchSize = new Option<int>("--batch-size") { Description = "Images per forward pass", DefaultValueFactory = _ => 64 };
        var workers = new Option<int>("--workers") { Description = "Loader threads (decode + transform)", DefaultValueFactory = _ => Math.Max(1, Environment.ProcessorCount) };
        var device = new DeviceOption(defaultsToConfig: false);
        var maxImages = new Option<int>("--max-images") { Description = "Evaluate the first N images only (0: all)" };
        var logitsOut = new Option<string?>("--logits") { Description = "Also write the (N, classes) float32 logits to this .npy" };
        var command = new Command("eval-cls", "ImageNet-style top-1 / top-5 of a classification checkpoint (hustvl/Vim evaluation transform)");
        command.Arguments.Add(config);
        foreach (var option in new Option[] { model, checkpoint, data, labels, inputSize, cropRatio, stride, batchSize, workers, maxImages, logitsOut })
            command.Options.Add(option);
        device.AddTo(command);
        command.SetAction(parse =>
        {
            var (name, options) = (parse.GetValue(config), parse.GetValue(model)) switch
            {
                ({ } configPath, null) => FromConfig(configPath),
                (null, { } modelName) => (modelName, (BackboneOptions?)null),
                _ => throw new UserInputException("eval-cls: give either a CONFIG or --model NAME"),
            };
            var target = device.Resolve(parse);
            var index = ImageFolderIndex.Open(parse.GetValue(data)!, parse.GetValue(labels));
            var size = parse.GetValue(inputSize);
            var (created, report) = PretrainedClassifier.Load(name, parse.GetValue(checkpoint)!, options, size, null, parse.GetValue(stride));
            using var classifier = (nn.Module<Tensor, Tensor>)created;
            foreach (var note in report.Adapted) Console.Error.WriteLine($"checkpoint: {note}");
            VimDense.Engine.DevicePlacement.MoveModule(classifier, target);
            var evalOptions = new ClassificationEvalOptions
            {
                Transform = new ClassificationEvalTransform(size, parse.GetValue(cropRatio)),
                BatchSize = parse.GetValue(batchSize), Workers = parse.GetValue(workers), Device = device.Value(parse) ?? "cpu",
                MaxImages = parse.GetValue(maxImages), KeepLogits = parse.GetValue(logitsOut) is not null,
            };
            var count = evalOptions.MaxImages > 0 ? Math.Min(evalOptions.MaxImages, index.Samples.Count) : index.Samples.Count;
            var progress = new ProgressBar((count + evalOptions.BatchSize - 1) / Math.Max(1, evalOptions.BatchSize), 0, lineInterval: 20);
            var result = ClassificationEvaluator.Evaluate(classifier, index.Samples, evalOptions, progress);
            Console.WriteLine(result.FormatTable());
            if (parse.GetValue(logitsOut) is { } path)
            {
                using var logits = tensor(result.Logits!, [result.Images, result.Classes]);
                NpyFile.Write(path, logits);
                Console.WriteLine($"{path}: logits [{result.Images}, {result.Classes}]");
            }
            return 0;
        });
        return command;
    }

    private static (string Name, BackboneOptions? Options) FromConfig(string path)
    {
        var backbone = ConfigLoader.Load(path).Model.Backbone;
        return (backbone.Type, BackboneFactory.BindOptions(backbone));
    }
}

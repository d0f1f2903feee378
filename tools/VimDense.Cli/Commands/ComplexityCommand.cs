using System.CommandLine;
using Newtonsoft.Json;
using VimDense.Experiments;

namespace VimDense.Cli.Commands;

/// <summary>
/// `vimdense complexity CONFIG [--size H [W]] [--depth N] [--norms] [--json] [--set a.b=c ...] [a.b=c ...]`:
/// parameters and FLOPs (multiply-adds) per module of the config's segmentor or detector on one image, counted from
/// a real inference pass (mmseg's get_flops, detectron2's analyze_model; see <see cref="ExperimentComplexity"/>).
/// </summary>
public sealed class ComplexityCommand : ICliCommand
{
    public Command Build()
    {
        var config = new Argument<string>("config") { Description = "Segmentation or detection experiment config (JSON)" };
        var size = new ImageSizeOption("Input height and width (one value: square; default: data.crop_size or data.image_size)");
        var depth = new Option<int>("--depth") { Description = "Module tree depth of the table (0: totals only)", DefaultValueFactory = _ => 2 };
        var norms = new Option<bool>("--norms") { Description = "Count norm layers too (fvcore's rule: 5 per element, inference BatchNorm 2)" };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of the table" };
        var set = new ConfigOverrides();
        var command = new Command("complexity", "Parameters and FLOPs (multiply-adds) per module of a segmentor or detector at an input size");
        command.Arguments.Add(config);
        foreach (var option in new Option[] { size, depth, norms, json }) command.Options.Add(option);
        set.AddTo(command);
        command.SetAction(parse =>
        {
            if (parse.GetValue(depth) < 0) throw new UserInputException($"--depth {parse.GetValue(depth)}: expected 0 or more");
            var experiment = Experiment.FromConfig(parse.GetValue(config)!, set.Values(parse));
            var report = ExperimentComplexity.Measure(experiment, size.Value(parse), parse.GetValue(norms));
            Console.Write(parse.GetValue(json) ? report.ToJson(parse.GetValue(depth)).ToString(Formatting.Indented) + Environment.NewLine
                : report.Format(parse.GetValue(depth)));
            return 0;
        });
        return command;
    }
}

using System.CommandLine;
using VimDense.Experiments;

namespace VimDense.Cli.Commands;

/// <summary>
/// `vimdense browse-dataset CONFIG --out DIR [--split S] [--count N] [--no-augment] [--seed K]`: the first N samples of
/// a split as the model sees them (the config's training pipeline unless --no-augment) with their labels drawn.
/// </summary>
public sealed class BrowseDatasetCommand : ICliCommand
{
    public Command Build()
    {
        var config = new Argument<string>("config") { Description = "Experiment config (JSON)" };
        var output = new Option<string>("--out") { Description = "Folder for the PNGs", Required = true };
        var split = new Option<string?>("--split") { Description = "Split to draw (default: the config's data.train_split)" };
        var count = new Option<int>("--count") { Description = "Number of samples", DefaultValueFactory = _ => 8 };
        var noAugment = new Option<bool>("--no-augment") { Description = "Use the test pipeline instead of the training (augmenting) one" };
        var seed = new Option<int>("--seed") { Description = "Augmentation seed", DefaultValueFactory = _ => 0 };
        var set = new ConfigOverrides();
        var command = new Command("browse-dataset", "Draw the first samples of a split through the config's pipeline, with their labels");
        command.Arguments.Add(config);
        foreach (var option in new Option[] { output, split, count, noAugment, seed }) command.Options.Add(option);
        set.AddTo(command);
        command.SetAction(parse =>
        {
            var experiment = Experiment.FromConfig(parse.GetValue(config)!, set.Values(parse));
            var paths = DatasetBrowser.Write(experiment, parse.GetValue(output)!, parse.GetValue(count), parse.GetValue(split),
                !parse.GetValue(noAugment), parse.GetValue(seed));
            Console.WriteLine($"wrote {paths.Count} samples to {Path.GetFullPath(parse.GetValue(output)!)}");
            return 0;
        });
        return command;
    }
}

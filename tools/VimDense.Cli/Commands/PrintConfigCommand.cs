using System.CommandLine;
using Newtonsoft.Json;
using VimDense.Experiments;

namespace VimDense.Cli.Commands;

/// <summary>
/// `vimdense print-config CONFIG [--set a.b=c ...] [a.b=c ...]`: the resolved config as JSON on stdout (bases merged, overrides
/// applied, every component's defaults filled in; see <see cref="ResolvedConfig"/>). The output is a loadable config.
/// </summary>
public sealed class PrintConfigCommand : ICliCommand
{
    public Command Build()
    {
        var config = new Argument<string>("config") { Description = "Experiment config (JSON)" };
        var set = new ConfigOverrides();
        var command = new Command("print-config", "Print the resolved config (bases merged, overrides applied, component defaults filled in) as JSON");
        command.Arguments.Add(config);
        set.AddTo(command);
        command.SetAction(parse =>
        {
            var experiment = Experiment.FromConfig(parse.GetValue(config)!, set.Values(parse));
            Console.WriteLine(ResolvedConfig.Of(experiment).ToString(Formatting.Indented));
            return 0;
        });
        return command;
    }
}

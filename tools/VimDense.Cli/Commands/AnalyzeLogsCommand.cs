using System.CommandLine;
using VimDense.Experiments;

namespace VimDense.Cli.Commands;

/// <summary>
/// `vimdense analyze-logs WORKDIR|log.jsonl ... --keys loss,lr,mIoU [--out curves.png]`: the summary table (last, min,
/// max, mean per run and key) on stdout and, with --out, the curves (one panel per key, one line per run).
/// </summary>
public sealed class AnalyzeLogsCommand : ICliCommand
{
    public Command Build()
    {
        var runs = new Argument<string[]>("runs") { Description = "Work directories (holding log.jsonl) or log.jsonl files", Arity = ArgumentArity.OneOrMore };
        var keys = new Option<string>("--keys") { Description = "Comma-separated logged keys: key (every mode) or mode/key, e.g. loss,lr,val/mIoU", DefaultValueFactory = _ => "loss" };
        var output = new Option<string?>("--out") { Description = "PNG file for the curves" };
        var command = new Command("analyze-logs", "Summarise and plot logged keys (loss terms, lr, metrics) of one or more runs");
        command.Arguments.Add(runs);
        command.Options.Add(keys);
        command.Options.Add(output);
        command.SetAction(parse =>
        {
            var curves = LogAnalysis.Read(parse.GetValue(runs)!,
                parse.GetValue(keys)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            Console.Write(LogAnalysis.FormatSummary(curves));
            if (parse.GetValue(output) is { } path)
            {
                LogCurvesPlot.Write(path, curves);
                Console.WriteLine($"wrote {Path.GetFullPath(path)}");
            }
            return 0;
        });
        return command;
    }
}

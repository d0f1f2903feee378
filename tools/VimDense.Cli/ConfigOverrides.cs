using System.CommandLine;
using System.CommandLine.Parsing;

namespace VimDense.Cli;

/// <summary>
/// The config overrides of a command, built once for every command that takes them: `--set a.b=c ...` (alias
/// `--cfg-options`, as mmseg's tools spell it; repeatable, several assignments per use) and, as detectron2's tools,
/// `KEY=VALUE` tokens after the command's other arguments. They are applied in that order: the `--set` values as
/// given, then the trailing ones. A trailing token that is not KEY=VALUE is a usage error naming it.
/// </summary>
public sealed class ConfigOverrides
{
    /// <summary>The option's name, as config error messages name it ("from --set a.b=c").</summary>
    public const string Name = "--set";

    /// <summary>mmseg's name for the same option.</summary>
    public const string Alias = "--cfg-options";

    private readonly Option<string[]> option;
    private readonly Argument<string[]> trailing;

    /// <param name="description">what an override changes (bench train: "in every config")</param>
    public ConfigOverrides(string description = "Override a config value: a.b=c (repeatable)")
    {
        option = new Option<string[]>(Name, Alias) { Description = description, AllowMultipleArgumentsPerToken = true };
        trailing = new Argument<string[]>("overrides")
        {
            Description = $"KEY=VALUE config overrides after the other arguments (as {Name}, applied after it)",
            Arity = ArgumentArity.ZeroOrMore,
        };
        trailing.Validators.Add(RejectNonAssignments);
    }

    /// <summary>Adds the option and the trailing argument to <paramref name="command"/> (after its own arguments).</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(option);
        command.Arguments.Add(trailing);
    }

    /// <summary>The overrides in the order they apply: the `--set` values, then the trailing KEY=VALUE tokens.</summary>
    public string[] Values(ParseResult parse) => [.. parse.GetValue(option) ?? [], .. parse.GetValue(trailing) ?? []];

    /// <summary>Whether <paramref name="token"/> reads as an assignment (a key before '=').</summary>
    public static bool IsAssignment(string token) => token.IndexOf('=') > 0 && !token.StartsWith('-');

    /// <summary>
    /// A token the command's arguments do not take lands here: unless it is KEY=VALUE it is the usage error it would
    /// have been without the trailing argument, with the closest option or subcommand name.
    /// </summary>
    private static void RejectNonAssignments(ArgumentResult result)
    {
        foreach (var token in result.Tokens)
        {
            if (IsAssignment(token.Value)) continue;
            var hint = result.Parent is CommandResult command ? CommandLineHints.For(command.Command, token.Value) : "";
            var expected = token.Value.StartsWith('-') ? "" : " (overrides after the arguments are KEY=VALUE)";
            result.AddError($"Unrecognized command or argument '{token.Value}'{hint}{expected}");
            return;
        }
    }
}

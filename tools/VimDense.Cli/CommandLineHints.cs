using System.CommandLine;
using VimDense.Config;

namespace VimDense.Cli;

/// <summary>
/// "did you mean" for a token a command does not know: a mistyped subcommand ("trian" → train) or option ("--resum" →
/// --resume), by the edit distance the config binder uses for keys (<see cref="DidYouMean"/>).
/// </summary>
public static class CommandLineHints
{
    /// <summary>"; did you mean 'X'?" for <paramref name="token"/> given to <paramref name="command"/>, or "".</summary>
    public static string For(Command command, string token)
    {
        var candidates = token.StartsWith('-')
            ? command.Options.Where(o => !o.Hidden).SelectMany(o => o.Aliases.Prepend(o.Name))
            : command.Subcommands.Where(c => !c.Hidden).SelectMany(c => c.Aliases.Prepend(c.Name));
        return DidYouMean.Suffix(token, candidates);
    }

    /// <summary>A parse error's message with the hint for the first token no symbol took (when the message names it).</summary>
    public static string Describe(ParseResult parse, string message)
    {
        if (parse.UnmatchedTokens.FirstOrDefault() is not { } token || !message.Contains($"'{token}'", StringComparison.Ordinal)) return message;
        var hint = For(parse.CommandResult.Command, token);
        return hint.Length == 0 ? message : message.TrimEnd('.') + hint;
    }
}

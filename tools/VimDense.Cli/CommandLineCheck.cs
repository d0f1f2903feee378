using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text;

namespace VimDense.Cli;

/// <summary>
/// The hidden `vimdense --check-command-lines FILE`: parses each command line of FILE (one per line, written as in
/// the README, with or without the leading `tools/vimdense`; shell quoting; `#` comments) against the command tree
/// without running anything, and checks that the config files they name exist. A `launch ... -- COMMAND` line has its
/// inner command checked too. Prints one line per command line ("ok" or what is wrong); exit 0 when all are fine, 1
/// otherwise. The README test uses it to keep the documented commands runnable as written.
/// </summary>
public static class CommandLineCheck
{
    public const string OptionName = "--check-command-lines";

    public static int Run(string file, TextWriter output)
    {
        if (!File.Exists(file)) throw new FileNotFoundException($"{OptionName}: {file} not found");
        var root = CliApp.BuildRoot();
        var failures = 0;
        var number = 0;
        foreach (var line in File.ReadAllLines(file))
        {
            number++;
            var words = ShellWords(line);
            if (words.Count > 0 && words[0] is "tools/vimdense" or "vimdense" or "./tools/vimdense") words.RemoveAt(0);
            if (words.Count == 0) continue;
            var problem = Check(root, [.. words]);
            if (problem is not null) failures++;
            output.WriteLine($"{(problem is null ? "ok" : "FAIL")} {number}: {string.Join(' ', words)}{(problem is null ? "" : $": {problem}")}");
        }
        return failures == 0 ? ExitCodes.Success : ExitCodes.InputError;
    }

    /// <summary>What is wrong with one command line, or null.</summary>
    private static string? Check(RootCommand root, string[] args)
    {
        var parse = CliApp.Parse(root, args);
        if (parse.Errors.Count > 0) return string.Join("; ", parse.Errors.Select(e => e.Message));
        if (parse.CommandResult.Command == root) return "no command";
        foreach (var path in ConfigPaths(parse.CommandResult))
            if (!File.Exists(path)) return $"config {path} not found";
        if (parse.CommandResult.Command.Name == "launch")
        {
            var inner = parse.CommandResult.Children.OfType<ArgumentResult>().SelectMany(a => a.Tokens).Select(t => t.Value).ToArray();
            if (inner.Length > 0 && Check(root, inner) is { } problem) return $"the launched command: {problem}";
        }
        return null;
    }

    /// <summary>Values of the config arguments and --config options that name .json files.</summary>
    private static IEnumerable<string> ConfigPaths(CommandResult command)
    {
        foreach (var child in command.Children)
        {
            var tokens = child switch
            {
                ArgumentResult a when a.Argument.Name is "config" or "configs" => a.Tokens,
                OptionResult o when o.Option.Name == "--config" => o.Tokens,
                _ => [],
            };
            foreach (var token in tokens)
                if (token.Value.EndsWith(".json", StringComparison.OrdinalIgnoreCase)) yield return token.Value;
        }
    }

    /// <summary>Splits a line as a POSIX shell would for plain words: '…' and "…" quoting, backslash escapes, # comments.</summary>
    internal static List<string> ShellWords(string line)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        char quote = '\0';
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quote != '\0')
            {
                if (c == quote) quote = '\0';
                else if (c == '\\' && quote == '"' && i + 1 < line.Length) word.Append(line[++i]);
                else word.Append(c);
                continue;
            }
            if (char.IsWhiteSpace(c))
            {
                if (inWord) words.Add(word.ToString());
                word.Clear();
                inWord = false;
                continue;
            }
            if (c == '#' && !inWord) break;
            inWord = true;
            if (c is '\'' or '"') quote = c;
            else if (c == '\\' && i + 1 < line.Length) word.Append(line[++i]);
            else word.Append(c);
        }
        if (inWord) words.Add(word.ToString());
        return words;
    }
}

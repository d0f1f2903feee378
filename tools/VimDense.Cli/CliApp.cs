using System.CommandLine;

namespace VimDense.Cli;

/// <summary>Builds the `vimdense` command tree and runs it with the project's exit-code rules.</summary>
public static class CliApp
{
    /// <summary>Exit code for a command line that does not parse (unknown command, bad option).</summary>
    public const int UsageError = ExitCodes.UsageError;
    /// <summary>Exit code for bad input found while running (missing file, wrong shape, unknown key).</summary>
    public const int InputError = ExitCodes.InputError;

    /// <summary>The global option that adds stack traces to error lines (accepted anywhere on the command line).</summary>
    public const string DebugOption = "--debug";

    private static readonly Dictionary<string, string> GroupDescriptions = new()
    {
        ["bench"] = "Measure speed and memory against a baseline measured in the same run",
    };

    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("vimdense: Vision Mamba backbones for dense prediction (train, evaluate, benchmark). " + ExitCodes.Help);
        var groups = new Dictionary<string, Command>();
        var commands = typeof(CliApp).Assembly.GetTypes()
            .Where(t => typeof(ICliCommand).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
            .Select(t => (ICliCommand)Activator.CreateInstance(t)!)
            .Select(c => (c.Group, Command: c.Build()))
            .OrderBy(c => c.Command.Name, StringComparer.Ordinal);
        foreach (var (group, command) in commands)
        {
            if (group is null) { root.Subcommands.Add(command); continue; }
            if (!groups.TryGetValue(group, out var parent))
            {
                parent = new Command(group, GroupDescriptions.GetValueOrDefault(group, group));
                groups[group] = parent;
                root.Subcommands.Add(parent);
            }
            parent.Subcommands.Add(command);
        }
        return root;
    }

    /// <summary>
    /// Parses <paramref name="args"/> against <paramref name="root"/>: as System.CommandLine does, after writing a lone
    /// "--size H" as "--size H H" where the command's --size takes H [W] (so KEY=VALUE overrides may follow it).
    /// </summary>
    public static ParseResult Parse(RootCommand root, string[] args)
    {
        var parse = root.Parse(args);
        var squared = ImageSizeOption.SquareSingleSizes(parse, args);
        return ReferenceEquals(squared, args) ? parse : root.Parse(squared);
    }

    /// <summary>Runs the command line; returns the process exit code (see <see cref="ExitCodes"/>).</summary>
    public static int Run(string[] args)
    {
        var debug = args.Contains(DebugOption);
        args = [.. args.Where(a => a != DebugOption)];
        try
        {
            Native.OpenMpEnvironment.PreferShortSpinning(); // before any command loads libtorch
            if (args is [CommandLineCheck.OptionName, var file]) return CommandLineCheck.Run(file, Console.Out);
            var root = BuildRoot();
            var parse = Parse(root, args);
            var helpRequested = args.Any(a => a is "-h" or "--help" or "-?");
            if (parse.Errors.Count > 0 && !helpRequested)
            {
                // Report the most specific error: "unrecognized X" rather than "required command missing".
                var error = parse.Errors.FirstOrDefault(e => e.Message.Contains('\'')) ?? parse.Errors[0];
                Console.Error.WriteLine($"vimdense: {CommandLineHints.Describe(parse, error.Message)} (see 'vimdense --help')");
                return UsageError;
            }
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e)
        {
            Console.Out.Flush();
            return CliErrors.Report(e, Console.Error, debug);
        }
    }
}

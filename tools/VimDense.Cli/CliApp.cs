using System.CommandLine;
using System.Reflection;

namespace VimDense.Cli;

/// <summary>Builds the `vimdense` command tree and runs it with the project's exit-code rules.</summary>
public static class CliApp
{
    /// <summary>Exit code for a command line that does not parse (unknown command, bad option).</summary>
    public const int UsageError = 2;
    /// <summary>Exit code for bad input found while running (missing file, wrong shape, unknown key).</summary>
    public const int InputError = 1;

    private static readonly Dictionary<string, string> GroupDescriptions = new()
    {
        ["bench"] = "Measure speed and memory against a baseline measured in the same run",
    };

    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("vimdense: Vision Mamba backbones for dense prediction (train, evaluate, benchmark)");
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

    /// <summary>Runs the command line; returns the process exit code.</summary>
    public static int Run(string[] args)
    {
        Native.OpenMpEnvironment.PreferPassiveWaiting(); // before any command loads libtorch
        var root = BuildRoot();
        var parse = root.Parse(args);
        var helpRequested = args.Any(a => a is "-h" or "--help" or "-?");
        if (parse.Errors.Count > 0 && !helpRequested)
        {
            // Report the most specific error: "unrecognized X" rather than "required command missing".
            var error = parse.Errors.FirstOrDefault(e => e.Message.Contains('\'')) ?? parse.Errors[0];
            Console.Error.WriteLine($"vimdense: {error.Message} (see 'vimdense --help')");
            return UsageError;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (IsInputError(e))
        {
            Console.Error.WriteLine($"vimdense: {Flatten(e)}");
            return InputError;
        }
    }

    private static bool IsInputError(Exception e) => e is UserInputException or ArgumentException
        or FileNotFoundException or DirectoryNotFoundException or InvalidDataException or FormatException
        or NotSupportedException or DllNotFoundException or TargetInvocationException { InnerException: not null };

    private static string Flatten(Exception e)
    {
        while (e is TargetInvocationException { InnerException: { } inner }) e = inner;
        return e.Message.ReplaceLineEndings(" ");
    }
}

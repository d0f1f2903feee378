using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace VimDense.Cli;

/// <summary>
/// `--size H [W]`: an image size of one (square) or two integers. Trailing KEY=VALUE overrides
/// (<see cref="ConfigOverrides"/>) may come right after it (`--size 512 a.b=c`): System.CommandLine gives an option
/// of arity 1–2 the next token whatever it is, so <see cref="SquareSingleSizes"/> writes a lone H as "H H" first.
/// </summary>
public sealed class ImageSizeOption : Option<int[]?>
{
    public ImageSizeOption(string description) : base("--size")
    {
        Description = description;
        Arity = new ArgumentArity(1, 2);
        AllowMultipleArgumentsPerToken = true;
        HelpName = "H [W]";
        CustomParser = Parse;
    }

    /// <summary>The (height, width) given, or null when the option is absent.</summary>
    public (int Height, int Width)? Value(ParseResult parse) =>
        parse.GetValue(this) is { Length: > 0 } v ? (v[0], v.Length > 1 ? v[1] : v[0]) : null;

    /// <summary>
    /// <paramref name="args"/> with "--size H" not followed by a second integer written "--size H H", when the command
    /// they name (<paramref name="parse"/> of them) has an <see cref="ImageSizeOption"/>; else <paramref name="args"/>.
    /// </summary>
    public static string[] SquareSingleSizes(ParseResult parse, string[] args)
    {
        if (!parse.CommandResult.Command.Options.OfType<ImageSizeOption>().Any()) return args;
        var result = new List<string>(args.Length + 1);
        for (var i = 0; i < args.Length; i++)
        {
            result.Add(args[i]);
            if (args[i] == "--size" && i + 1 < args.Length && IsInteger(args[i + 1]) && (i + 2 >= args.Length || !IsInteger(args[i + 2])))
            {
                result.Add(args[i + 1]);
                result.Add(args[i + 1]);
                i++;
            }
        }
        return [.. result];
    }

    private static bool IsInteger(string token) => int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out _);

    private static int[]? Parse(ArgumentResult result)
    {
        var values = new List<int>();
        foreach (var token in result.Tokens)
        {
            if (!int.TryParse(token.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                result.AddError($"--size: expected H [W] (integers), got '{token.Value}'");
                return null;
            }
            if (value < 16)
            {
                result.AddError($"--size {token.Value}: expected an image size of at least 16");
                return null;
            }
            values.Add(value);
        }
        return [.. values];
    }
}

using System.CommandLine;
using VimDense.Engine;

namespace VimDense.Cli;

/// <summary>
/// `--precision fp32|bf16|fp16` of train, eval and predict: shorthand for the config keys it names
/// (train: train.precision and test.precision; eval/predict: test.precision), applied after the --set overrides.
/// </summary>
public sealed class PrecisionOption
{
    public const string Name = "--precision";

    private readonly Option<string?> option;
    private readonly string[] keys;

    /// <param name="keys">the config keys the value goes to, e.g. "train.precision", "test.precision"</param>
    public PrecisionOption(params string[] keys)
    {
        this.keys = keys;
        option = new Option<string?>(Name) { Description = $"Numeric precision ({string.Join(", ", Precisions.Names)}): sets {string.Join(" and ", keys)}" };
    }

    public void AddTo(Command command) => command.Options.Add(option);

    /// <summary>The config overrides with this option's assignments last (unchanged without it); a bad name is a one-line error.</summary>
    public string[] Apply(ParseResult parse, string[] overrides)
    {
        if (parse.GetValue(option) is not { } text) return overrides;
        var name = Precisions.Name(Precisions.Parse(text, Name));
        return [.. overrides, .. keys.Select(k => $"{k}={name}")];
    }
}

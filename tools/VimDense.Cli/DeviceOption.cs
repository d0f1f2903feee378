using System.CommandLine;
using VimDense.Engine;
using static TorchSharp.torch;

namespace VimDense.Cli;

/// <summary>
/// `--device cpu|cuda|cuda:N`, built once for every command that takes it. Commands that run a config (train, eval,
/// predict, bench train) pass it on as the config key <c>device</c> (<see cref="AppendTo"/>, applied after --set);
/// the others use the device directly (<see cref="Resolve"/>). A device this build or machine lacks ends the command
/// with exit code 1 and one line saying why.
/// </summary>
public sealed class DeviceOption
{
    public const string Name = "--device";

    private readonly Option<string?> option;

    /// <param name="defaultsToConfig">whether an absent option leaves the config's device (else it means cpu)</param>
    public DeviceOption(bool defaultsToConfig)
    {
        option = new Option<string?>(Name)
        {
            Description = defaultsToConfig
                ? "cpu, cuda or cuda:N: where the model, optimizer state, batches and losses live (sets the config key device; default: the config's, cpu)"
                : "cpu (default), cuda or cuda:N: where the model and its inputs live",
        };
    }

    public void AddTo(Command command) => command.Options.Add(option);

    /// <summary>The given spelling, or null when the option is absent.</summary>
    public string? Value(ParseResult parse) => parse.GetValue(option);

    /// <summary><paramref name="overrides"/> followed by device=VALUE when the option is given (so it wins over --set device=…).</summary>
    public string[] AppendTo(ParseResult parse, string[] overrides)
    {
        if (Value(parse) is not { } value) return overrides;
        _ = ComputeDevice.Parse(value, Name); // a bad spelling names --device, not the config key
        return [.. overrides, $"device={value}"];
    }

    /// <summary>The device the option names (cpu when absent), checked against this build and machine.</summary>
    public Device Resolve(ParseResult parse) => ComputeDevice.Parse(Value(parse) ?? "cpu", Name).Resolve(Name);
}

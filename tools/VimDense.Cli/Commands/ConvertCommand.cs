using System.CommandLine;
using System.Globalization;
using VimDense.Checkpoints;
using VimDense.IO;

namespace VimDense.Cli.Commands;

/// <summary>
/// `vimdense convert IN OUT.safetensors [--key model]`: extracts a state dict from a PyTorch checkpoint
/// (or re-writes a safetensors file) into safetensors, written through a temporary file.
/// </summary>
public sealed class ConvertCommand : ICliCommand
{
    public Command Build()
    {
        var input = new Argument<string>("input") { Description = "Checkpoint to read (.pth/.pt/.bin or .safetensors)" };
        var output = new Argument<string>("output") { Description = "safetensors file to write" };
        var key = new Option<string?>("--key")
        {
            Description = "Container holding the state dict (model, model_ema, state_dict, ...); default: found automatically",
        };
        var command = new Command("convert", "Convert a checkpoint's state dict to safetensors (safe reader, nothing is executed)");
        command.Arguments.Add(input);
        command.Arguments.Add(output);
        command.Options.Add(key);
        command.SetAction(parse =>
        {
            var inPath = parse.GetValue(input)!;
            var outPath = parse.GetValue(output)!;
            var keyName = parse.GetValue(key);
            if (!outPath.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
                throw new UserInputException($"{outPath}: the output must be a .safetensors file");
            OutputPath.CheckFile(outPath, "safetensors");
            var tensors = StateDicts.Load(inPath, keyName);
            try
            {
                var metadata = new Dictionary<string, string> { ["format"] = "pt", ["source"] = Path.GetFileName(inPath) };
                if (keyName is not null) metadata["key"] = keyName;
                SafeTensors.Save(outPath, tensors, metadata);
                var elements = tensors.Values.Sum(t => t.numel());
                var bytes = tensors.Values.Sum(t => t.numel() * t.element_size());
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{outPath}: {tensors.Count} tensors, {elements:N0} parameters, {bytes:N0} bytes (from {inPath}{(keyName is null ? "" : $" [{keyName}]")})"));
            }
            finally
            {
                foreach (var t in tensors.Values) t.Dispose();
            }
            return 0;
        });
        return command;
    }
}

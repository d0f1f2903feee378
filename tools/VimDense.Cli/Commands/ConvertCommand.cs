using System.CommandLine;
using System.Globalization;
using VimDense.Checkpoints;
using VimDense.IO;

namespace VimDense.Cli.Commands;

/// <summary>
/// `vimdense convert IN OUT.safetensors|OUT.pth [--key model] [--ema]`: extracts a state dict from a PyTorch checkpoint,
/// a safetensors file or a VimDense training checkpoint (its model weights only, or with --ema its averaged ones) and
/// writes it as safetensors or as a PyTorch .pth that `torch.load(OUT, weights_only=True)` reads (an OrderedDict of
/// tensors, <see cref="TorchCheckpointWriter"/>), through a temporary file. Nothing from the input is executed.
/// </summary>
public sealed class ConvertCommand : ICliCommand
{
    public Command Build()
    {
        var input = new Argument<string>("input") { Description = "Checkpoint to read (.pth/.pt/.bin, .safetensors, or a training checkpoint iter_N.safetensors)" };
        var output = new Argument<string>("output") { Description = "File to write: .safetensors, or .pth (PyTorch zip format, loadable with torch.load(..., weights_only=True))" };
        var key = new Option<string?>("--key")
        {
            Description = "Container holding the state dict (model, model_ema, state_dict, ...); default: found automatically",
        };
        var ema = new Option<bool>("--ema") { Description = "From a training checkpoint: its EMA weights (train.ema) instead of the live ones" };
        var command = new Command("convert", "Convert a checkpoint's model weights to safetensors or .pth (safe reader, nothing is executed)");
        command.Arguments.Add(input);
        command.Arguments.Add(output);
        command.Options.Add(key);
        command.Options.Add(ema);
        command.SetAction(parse =>
        {
            var inPath = parse.GetValue(input)!;
            var outPath = parse.GetValue(output)!;
            var keyName = parse.GetValue(key);
            var pth = outPath.EndsWith(".pth", StringComparison.OrdinalIgnoreCase);
            if (!pth && !outPath.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
                throw new UserInputException($"{outPath}: the output must be a .safetensors or a .pth file");
            OutputPath.CheckFile(outPath, pth ? ".pth" : "safetensors");
            var training = File.Exists(inPath) && CheckpointKinds.IsTraining(inPath);
            if (parse.GetValue(ema) && !training)
                throw new UserInputException($"{inPath}: --ema picks the averaged weights of a VimDense training checkpoint, and this is not one (for a .pth's EMA copy use --key model_ema)");
            if (training && keyName is not null)
                throw new UserInputException($"{inPath}: a training checkpoint holds one model; --key '{keyName}' applies to .pth files only");
            var tensors = keyName is null ? CheckpointKinds.ModelWeights(inPath, parse.GetValue(ema)) : StateDicts.Load(inPath, keyName);
            try
            {
                if (pth)
                {
                    TorchCheckpointWriter.Save(outPath, tensors);
                }
                else
                {
                    var metadata = new Dictionary<string, string> { ["format"] = "pt", ["source"] = Path.GetFileName(inPath) };
                    if (keyName is not null) metadata["key"] = keyName;
                    SafeTensors.Save(outPath, tensors, metadata);
                }
                var elements = tensors.Values.Sum(t => t.numel());
                var bytes = tensors.Values.Sum(t => t.numel() * t.element_size());
                var from = keyName is not null ? $" [{keyName}]" : training ? (parse.GetValue(ema) ? " [ema weights]" : " [model weights]") : "";
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{outPath}: {tensors.Count} tensors, {elements:N0} parameters, {bytes:N0} bytes (from {inPath}{from})"));
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

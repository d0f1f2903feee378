using System.CommandLine;
using VimDense.Backbones;
using VimDense.IO;
using static TorchSharp.torch;

namespace VimDense.Cli.Commands;

/// <summary>
/// `vimdense features --model vim_tiny --checkpoint X.pth --input x.npy --output y.npy [--logits] [--rope]`: the
/// classification feature (normalised class token, as the reference's forward(x, return_features=True)) or
/// the logits of a (B, 3, H, W) float32 batch.
/// </summary>
public sealed class FeaturesCommand : ICliCommand
{
    public Command Build()
    {
        var model = new Option<string>("--model") { Description = $"Backbone: {string.Join(", ", BackboneFactory.Names)}", Required = true };
        var checkpoint = new Option<string>("--checkpoint") { Description = "Weights (.pth plain or {\"model\": ...}, or .safetensors)", Required = true };
        var input = new Option<string>("--input") { Description = "float32 .npy of shape (B, 3, H, W)", Required = true };
        var output = new Option<string>("--output") { Description = ".npy to write: (B, D) features or (B, classes) logits", Required = true };
        var depth = new Option<int?>("--depth") { Description = "Number of blocks (default: as many as the checkpoint has)" };
        var img = new Option<int?>("--img") { Description = "Configured image size (default: the input's; position embeddings are resized to it)" };
        var stride = new Option<int>("--stride") { Description = "Patch stride (16, or 8 for the Vim \"+\" models)", DefaultValueFactory = _ => 16 };
        var logits = new Option<bool>("--logits") { Description = "Write the head's logits instead of the features" };
        var rope = new Option<bool>("--rope") { Description = "Vim: 2-D RoPE on the hidden states and the residual before every block (if_rope, if_rope_residual)" };
        var ptHwSeqLen = new Option<int>("--pt-hw-seq-len") { Description = "Vim RoPE pretraining grid side", DefaultValueFactory = _ => VimDense.Layers.VisionRotaryEmbedding.DefaultPretrainSide };
        var device = new DeviceOption(defaultsToConfig: false);
        var command = new Command("features", "Classification features or logits of a batch of images with a pretrained backbone");
        foreach (var option in new Option[] { model, checkpoint, input, output, depth, img, stride, logits, rope, ptHwSeqLen }) command.Options.Add(option);
        device.AddTo(command);
        command.SetAction(parse =>
        {
            var target = device.Resolve(parse);
            OutputPath.CheckFile(parse.GetValue(output)!, "features .npy");
            using var images = NpyFile.Read(parse.GetValue(input)!);
            if (images.dim() != 4 || images.shape[1] != 3 || images.dtype != ScalarType.Float32)
                throw new UserInputException($"{parse.GetValue(input)}: expected float32 (B, 3, H, W), got {images.dtype} [{string.Join(", ", images.shape)}]");
            var isVim = BackboneFactory.IsVim(parse.GetValue(model)!);
            if (parse.GetValue(rope) && !isVim) throw new UserInputException($"--rope: only Vision Mamba backbones have RoPE, not {parse.GetValue(model)}");
            BackboneOptions family = isVim
                ? new VimOptions { Rope = parse.GetValue(rope), RopeResidual = parse.GetValue(rope), PtHwSeqLen = parse.GetValue(ptHwSeqLen) }
                : new VitOptions();
            CheckInputSize(parse.GetValue(input)!, images, family with
            {
                ImgSize = parse.GetValue(img) ?? (int)images.shape[2], ImgWidth = parse.GetValue(img) is null ? (int)images.shape[3] : null,
                Stride = parse.GetValue(stride),
            });
            var (created, report) = PretrainedClassifier.Load(parse.GetValue(model)!, parse.GetValue(checkpoint)!, family with { Depth = parse.GetValue(depth) },
                parse.GetValue(img) ?? (int)images.shape[2], parse.GetValue(img) is null ? (int)images.shape[3] : null, parse.GetValue(stride));
            using var backbone = (nn.Module<Tensor, Tensor>)created;
            foreach (var note in report.Adapted) Console.Error.WriteLine($"checkpoint: {note}");
            VimDense.Engine.DevicePlacement.MoveModule(backbone, target);
            backbone.eval();
            using var noGrad = no_grad();
            using var batch = VimDense.Engine.DevicePlacement.OnDevice(images, target);
            using var computed = parse.GetValue(logits) ? backbone.forward(batch) : created.ForwardFeatures(batch);
            using var result = computed.cpu();
            NpyFile.Write(parse.GetValue(output)!, result);
            Console.WriteLine($"{parse.GetValue(output)}: {(parse.GetValue(logits) ? "logits" : "features")} [{string.Join(", ", result.shape)}]");
            return 0;
        });
        return command;
    }

    /// <summary>The most patches a features run takes (4096² pixels at stride 16): far past any checkpoint, still within memory.</summary>
    private const long MaxPatches = 65536;

    private static void CheckInputSize(string input, Tensor images, BackboneOptions options)
    {
        var (h, w) = (images.shape[2], images.shape[3]);
        if (h < options.PatchSize || w < options.PatchSize)
            throw new UserInputException($"{input}: images of {h}x{w} are smaller than one {options.PatchSize}x{options.PatchSize} patch");
        var configured = (H: (long)options.ImgSize, W: (long)(options.ImgWidth ?? options.ImgSize));
        foreach (var (ih, iw, what) in new[] { (h, w, $"{input}: images of {h}x{w}"), (configured.H, configured.W, $"--img {configured.H}") })
            if ((ih / options.Stride) * (iw / options.Stride) > MaxPatches)
                throw new UserInputException($"{what} give {(ih / options.Stride) * (iw / options.Stride)} patches at stride {options.Stride}; at most {MaxPatches} are supported");
    }
}

using TorchSharp;
using VimDense.Backbones;
using VimDense.Heads.Necks;
using VimDense.Layers;
using static TorchSharp.torch;

namespace VimDense.Heads.Segmentation;

/// <summary>
/// mmseg's EncoderDecoder segmentor: backbone → optional neck → decode head (+ auxiliary head in training).
/// Parameter names: backbone.*, neck.*, decode_head.*, auxiliary_head.* (layer decay keys on "backbone.").
/// </summary>
public sealed class EncoderDecoder : nn.Module<Tensor, Tensor>
{
    private readonly IBackbone backboneImpl;
    private readonly Neck? neck;
    private readonly DecodeHead decode_head;
    private readonly DecodeHead? auxiliary_head;

    public EncoderDecoder(IBackbone backbone, Neck? neck, DecodeHead decodeHead, DecodeHead? auxiliaryHead = null)
        : base(nameof(EncoderDecoder))
    {
        backboneImpl = backbone;
        this.neck = neck;
        decode_head = decodeHead;
        auxiliary_head = auxiliaryHead;
        register_module("backbone", backbone.Module);
        if (neck is not null) register_module("neck", neck);
        register_module("decode_head", decodeHead);
        if (auxiliaryHead is not null) register_module("auxiliary_head", auxiliaryHead);
    }

    public IBackbone Backbone => backboneImpl;
    public int NumClasses => decode_head.NumClasses;
    public DecodeHead DecodeHead => decode_head;
    public DecodeHead? AuxiliaryHead => auxiliary_head;

    public IReadOnlyList<Tensor> ExtractFeatures(Tensor images)
    {
        var features = backboneImpl.ForwardIntermediates(images);
        return neck is null ? features : neck.call(features);
    }

    /// <summary>Decode-head logits resized to the input size (B, K, H, W).</summary>
    public override Tensor forward(Tensor images)
    {
        var logits = decode_head.call(ExtractFeatures(images));
        return nn.functional.interpolate(logits, size: [images.shape[2], images.shape[3]], mode: InterpolationMode.Bilinear, align_corners: false);
    }

    /// <summary>
    /// Training losses, each head's own (weighted): "decode.loss_ce", "aux.loss_ce" and their sum "loss"; the decode
    /// head's pixel accuracy as a plain number.
    /// </summary>
    public (Dictionary<string, Tensor> Losses, double Accuracy) Loss(Tensor images, Tensor labels)
    {
        var features = ExtractFeatures(images);
        var (decodeLoss, accuracy) = decode_head.LossAndAccuracy(decode_head.call(features), labels);
        var losses = new Dictionary<string, Tensor> { ["decode.loss_ce"] = decodeLoss };
        var total = decodeLoss;
        if (auxiliary_head is not null)
        {
            losses["aux.loss_ce"] = auxiliary_head.Loss(auxiliary_head.call(features), labels);
            total = total + losses["aux.loss_ce"];
        }
        losses["loss"] = total;
        return (losses, accuracy);
    }

    /// <summary>
    /// Prediction scores (1, K, outHeight, outWidth) for one normalised image (1, 3, H, W): logits for a single
    /// view, averaged softmax probabilities when test-time augmentation is on. Argmax gives the label map.
    /// </summary>
    public Tensor Predict(Tensor image, long outHeight, long outWidth, InferenceOptions options)
    {
        using var noGrad = no_grad();
        if (!options.UsesAugmentation) return ResizeTo(InferView(image, options), outHeight, outWidth);
        Tensor? sum = null;
        var views = 0;
        foreach (var scale in options.Scales)
        {
            var scaled = scale == 1.0 ? image : nn.functional.interpolate(image,
                size: [(long)(image.shape[2] * scale + 0.5), (long)(image.shape[3] * scale + 0.5)], mode: InterpolationMode.Bilinear, align_corners: false);
            foreach (var flip in options.Flip ? new[] { false, true } : [false])
            {
                var input = flip ? scaled.flip(3) : scaled;
                var logits = InferView(input, options);
                if (flip) logits = logits.flip(3);
                var probabilities = ResizeTo(logits, outHeight, outWidth).softmax(1);
                sum = sum is null ? probabilities : sum + probabilities;
                views++;
            }
        }
        return sum!.div(views);
    }

    private Tensor InferView(Tensor image, InferenceOptions options) => options.Mode switch
    {
        InferenceMode.Whole => Autocast.Float(forward(image)), // scores and their softmax in float32 under test.precision
        InferenceMode.Slide => SlidingWindow.Infer(this, image, options.CropSize, options.Stride, NumClasses),
        _ => throw new ArgumentOutOfRangeException(nameof(options), options.Mode, "unknown inference mode"),
    };

    private static Tensor ResizeTo(Tensor logits, long height, long width) =>
        logits.shape[2] == height && logits.shape[3] == width ? logits
            : nn.functional.interpolate(logits, size: [height, width], mode: InterpolationMode.Bilinear, align_corners: false);
}

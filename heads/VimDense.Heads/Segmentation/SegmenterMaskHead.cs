using VimDense.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace VimDense.Heads.Segmentation;

/// <summary>
/// Segmenter's mask transformer (mmseg SegmenterMaskTransformerHead): patch tokens projected to D, K learnable
/// class embeddings appended, <c>numLayers</c> pre-norm transformer layers, a final LayerNorm, separate bias-free
/// projections of patches and classes, L2-normalised dot products (cosine similarities) and a LayerNorm over the
/// class axis ("mask norm"). Logits come out at the input's resolution (1/16 for a patch-16 backbone).
/// </summary>
public sealed class SegmenterMaskHead : DecodeHead
{
    private readonly Linear dec_proj;
    private readonly Parameter cls_emb;
    private readonly ModuleList<TransformerEncoderLayer> layers = new();
    private readonly LayerNorm decoder_norm;
    private readonly Linear patch_proj;
    private readonly Linear classes_proj;
    private readonly LayerNorm mask_norm;
    private readonly int inIndex;

    /// <param name="inChannels">channels of the map at <see cref="SegmenterHeadOptions.InIndex"/></param>
    public SegmenterMaskHead(int inChannels, int numClasses, SegmenterHeadOptions? options = null)
        : base(nameof(SegmenterMaskHead), numClasses)
    {
        options ??= new SegmenterHeadOptions();
        if (options.DropoutRatio != 0)
            throw new UserInputException($"segmenter dropout_ratio {options.DropoutRatio}: the mask transformer has no classifier dropout (expected 0)");
        var (embedDim, numHeads, numLayers, mlpRatio, dropPathRate) =
            (options.EmbedDims, options.NumHeads, options.NumLayers, options.MlpRatio, options.DropPathRate);
        inIndex = options.InIndex;
        dec_proj = nn.Linear(inChannels, embedDim);
        cls_emb = nn.Parameter(zeros(1, numClasses, embedDim));
        for (var i = 0; i < numLayers; i++)
            layers.Add(new TransformerEncoderLayer(embedDim, numHeads, mlpRatio, numLayers == 1 ? 0 : dropPathRate * i / (numLayers - 1)));
        decoder_norm = nn.LayerNorm(embedDim);
        patch_proj = nn.Linear(embedDim, embedDim, hasBias: false);
        classes_proj = nn.Linear(embedDim, embedDim, hasBias: false);
        mask_norm = nn.LayerNorm(numClasses);
        RegisterComponents();
        using (no_grad())
        {
            TruncatedNormal.Fill(cls_emb, 0.02);
            foreach (var linear in new[] { dec_proj, patch_proj, classes_proj }) TruncatedNormal.Fill(linear.weight, 0.02);
            nn.init.zeros_(dec_proj.bias!);
        }
    }

    public override Tensor forward(IReadOnlyList<Tensor> inputs)
    {
        var x = Select(inputs, inIndex);
        var (b, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3]);
        var tokens = Autocast.Float(Autocast.Linear(dec_proj, x.flatten(2).transpose(1, 2)));
        tokens = cat([tokens, cls_emb.expand(b, -1, -1)], 1);
        foreach (var layer in layers) tokens = layer.call(tokens);
        tokens = decoder_norm.call(tokens);
        var patches = nn.functional.normalize(Autocast.Float(Autocast.Linear(patch_proj, tokens[.., ..(int)(h * w)])), p: 2, dim: -1);
        var classes = nn.functional.normalize(Autocast.Float(Autocast.Linear(classes_proj, tokens[.., (int)(h * w)..])), p: 2, dim: -1);
        var masks = mask_norm.call(matmul(patches, classes.transpose(1, 2)));
        return masks.transpose(1, 2).reshape(b, NumClasses, h, w);
    }
}

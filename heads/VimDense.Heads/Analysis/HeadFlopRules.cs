using TorchSharp.Modules;
using VimDense.Analysis;
using VimDense.Heads.Necks;
using VimDense.Heads.Segmentation;
using static TorchSharp.torch;

namespace VimDense.Heads.Analysis;

/// <summary>
/// The multiply-add rules of the heads' modules that compute with their own weights or matrix products rather than
/// (only) through child layers: the detection neck's normed convolution, the Segmenter decoder layer's attention and
/// the mask transformer's patch-class product.
/// </summary>
public static class HeadFlopRules
{
    /// <summary><paramref name="rules"/> with the heads' rules added.</summary>
    public static FlopRules AddTo(FlopRules rules) => rules
        .With(typeof(NormedConv2d), (m, _, o) => LayerFlops.Own(LayerFlops.Convolution(((NormedConv2d)m).Weight, (Tensor)o)))
        .With(typeof(Segmentation.TransformerEncoderLayer), (_, i, _) => LayerFlops.Own(LayerFlops.Attention((Tensor)i)))
        .With(typeof(SegmenterMaskHead), (m, _, o) => LayerFlops.Own(MaskProduct((SegmenterMaskHead)m, (Tensor)o)));

    /// <summary>Cosine similarities of every patch with every class: B·(h·w)·K·D for masks (B, K, h, w) and embedding width D.</summary>
    private static double MaskProduct(SegmenterMaskHead head, Tensor masks)
    {
        var patchProjection = (Linear)head.named_children().First(c => c.name == "patch_proj").module;
        return (double)masks.numel() * patchProjection.weight!.shape[0];
    }
}

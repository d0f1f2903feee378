using OpenCvSharp;
using VimDense.Datasets.Transforms;
using static TorchSharp.torch;

namespace VimDense.Experiments;

/// <summary>Images handed to the predictors, as the BGR uint8 pictures the data pipelines read.</summary>
internal static class ImageInput
{
    private static readonly NormalizeOptions Identity = new([0f, 0f, 0f], [1f, 1f, 1f]);

    /// <summary>An RGB image tensor (3, H, W) of pixel values 0–255 (any dtype) as a BGR uint8 picture.</summary>
    public static Mat ToBgr(Tensor rgb)
    {
        if (rgb.dim() != 3 || rgb.shape[0] != 3)
            throw new ArgumentException($"expected an RGB image tensor of shape (3, H, W), got ({string.Join(", ", rgb.shape)})", nameof(rgb));
        var (height, width) = ((int)rgb.shape[1], (int)rgb.shape[2]);
        using var values = rgb.to(float32).cpu().contiguous();
        return ChwConversion.ToBgr(values.data<float>().ToArray(), height, width, Identity);
    }
}

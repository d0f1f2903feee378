using OpenCvSharp;
using VimDense.Datasets.Transforms;
using static TorchSharp.torch;

namespace VimDense.Experiments;

/// <summary>
/// A predictor's three ways to take an image (file, RGB tensor, BGR picture), all through the one BGR path the
/// data pipelines read, so a tensor and the file it came from give the same answer.
/// </summary>
public abstract class ImagePredictor<TPrediction>
{
    private static readonly NormalizeOptions Identity = new([0f, 0f, 0f], [1f, 1f, 1f]);

    /// <summary>Predicts on an image file (named by its file name without extension).</summary>
    public TPrediction Predict(string imagePath)
    {
        using var bgr = ImageFiles.ReadColor(imagePath);
        return Predict(bgr, Path.GetFileNameWithoutExtension(imagePath));
    }

    /// <summary>Predicts on an RGB image tensor (3, H, W) of pixel values 0–255 (any dtype).</summary>
    public TPrediction Predict(Tensor rgb, string name = "image")
    {
        if (rgb.dim() != 3 || rgb.shape[0] != 3)
            throw new ArgumentException($"expected an RGB image tensor of shape (3, H, W), got ({string.Join(", ", rgb.shape)})", nameof(rgb));
        using var values = rgb.to(float32).cpu().contiguous();
        using var bgr = ChwConversion.ToBgr(values.data<float>().ToArray(), (int)rgb.shape[1], (int)rgb.shape[2], Identity);
        return Predict(bgr, name);
    }

    /// <summary>Predicts on a BGR uint8 picture (as OpenCV reads it).</summary>
    public abstract TPrediction Predict(Mat bgr, string name);
}

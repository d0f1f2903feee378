using OpenCvSharp;

namespace VimDense.Datasets.Transforms;

/// <summary>
/// The evaluation transform of hustvl/Vim (vim/datasets.py build_transform, is_train = False), as torchvision
/// 0.14 computes it on a PIL image: Resize(int(input / crop_ratio), BICUBIC) of the shorter side (the longer one
/// int(size · long / short)), CenterCrop(input) at (int(round((h − input) / 2)), int(round((w − input) / 2))) with
/// Python's half-to-even rounding, ToTensor (/255) and Normalize with timm's ImageNet mean/std, all in float32.
/// The resize is PIL's bicubic bit for bit (<see cref="PilResize"/>); decoding is OpenCV's libjpeg (as PIL's,
/// up to how CMYK JPEGs are converted).
/// </summary>
public sealed record ClassificationEvalTransform(int InputSize = 224, double CropRatio = 0.875)
{
    /// <summary>timm IMAGENET_DEFAULT_MEAN / STD, RGB.</summary>
    public static readonly float[] Mean = [0.485f, 0.456f, 0.406f];
    public static readonly float[] Std = [0.229f, 0.224f, 0.225f];

    /// <summary>The shorter side the image is resized to (256 for 224).</summary>
    public int ResizeSize => (int)(InputSize / CropRatio);

    /// <summary>Reads <paramref name="path"/> and writes its (3, input, input) RGB float32 CHW values into <paramref name="destination"/>.</summary>
    public void Apply(string path, Span<float> destination)
    {
        using var image = ImageFiles.ReadColor(path);
        Apply(image, destination);
    }

    /// <summary>The transform of a BGR uint8 image (OpenCV order).</summary>
    public unsafe void Apply(Mat bgr, Span<float> destination)
    {
        if (InputSize <= 0 || CropRatio is <= 0 or > 1) throw new ArgumentException($"input size {InputSize}, crop ratio {CropRatio}: expected > 0 and (0, 1]");
        var plane = InputSize * InputSize;
        if (destination.Length != 3 * plane) throw new ArgumentException($"destination holds {destination.Length} values, expected {3 * plane}");
        var (width, height) = (bgr.Cols, bgr.Rows);
        var size = ResizeSize;
        var (newWidth, newHeight) = width <= height
            ? (size, (int)((double)size * height / width))
            : ((int)((double)size * width / height), size);
        using var resized = PilResize.Resize(bgr, new Size(newWidth, newHeight), PilFilter.Bicubic);
        if (newWidth < InputSize || newHeight < InputSize)
            throw new BadSampleException($"image of {width}x{height}: resized to {newWidth}x{newHeight}, smaller than the {InputSize} crop");
        var top = (int)Math.Round((newHeight - InputSize) / 2.0, MidpointRounding.ToEven);
        var left = (int)Math.Round((newWidth - InputSize) / 2.0, MidpointRounding.ToEven);
        var pixels = (byte*)resized.DataPointer;
        for (var y = 0; y < InputSize; y++)
        {
            var row = pixels + ((long)(top + y) * newWidth + left) * 3;
            for (var x = 0; x < InputSize; x++)
                for (var c = 0; c < 3; c++)                                        // RGB channel c is BGR channel 2 - c
                    destination[c * plane + y * InputSize + x] = (row[x * 3 + 2 - c] / 255f - Mean[c]) / Std[c];
        }
    }
}

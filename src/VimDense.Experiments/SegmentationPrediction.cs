using OpenCvSharp;
using VimDense.Datasets.Evaluation;
using VimDense.Datasets.Transforms;
using VimDense.Datasets.Visual;
using static TorchSharp.torch;

namespace VimDense.Experiments;

/// <summary>
/// A segmentor's prediction for one image at its original resolution: the label map (train ids) and the class
/// scores it was taken from (owned: dispose the prediction to free them).
/// </summary>
public sealed class SegmentationPrediction : IDisposable
{
    internal SegmentationPrediction(string name, Tensor scores)
    {
        Name = name;
        Scores = scores;
        Height = (int)scores.shape[1];
        Width = (int)scores.shape[2];
        Labels = LabelsOf(scores.unsqueeze(0));
    }

    /// <summary>The image's name (file name without extension, or the name given with a tensor).</summary>
    public string Name { get; }
    public int Height { get; }
    public int Width { get; }

    /// <summary>Row-major Height×Width class indices: the arg-max of <see cref="Scores"/>.</summary>
    public byte[] Labels { get; }

    /// <summary>Class scores (K, Height, Width) as the model gives them (logits, or probabilities when averaged over flips/scales).</summary>
    public Tensor Scores { get; }

    /// <summary>Writes the label map as a grey PNG (train ids).</summary>
    public void WriteLabels(string path) => SegmentationPng.Write(path, Labels, Height, Width);

    /// <summary>Writes the label map in colour over the image at <paramref name="imagePath"/>.</summary>
    public void WriteOverlay(string path, string imagePath) => WriteOverlay(path, imagePath, Labels, Height, Width, Palette);

    /// <summary>The class colours of the overlay (the experiment's data.palette or default palette).</summary>
    public IReadOnlyList<(byte R, byte G, byte B)>? Palette { get; init; }

    public void Dispose() => Scores.Dispose();

    /// <summary>The arg-max labels of scores (1, K, H, W).</summary>
    internal static byte[] LabelsOf(Tensor scores)
    {
        using var labels = scores.argmax(1)[0].to(ScalarType.Byte).cpu().contiguous();
        return labels.data<byte>().ToArray();
    }

    internal static void WriteOverlay(string path, string imagePath, byte[] labels, int height, int width,
        IReadOnlyList<(byte R, byte G, byte B)>? palette = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var bgr = ImageFiles.ReadColor(imagePath);
        using var overlay = OverlayRenderer.Segmentation(bgr, labels, height, width, palette: palette);
        Cv2.ImWrite(path, overlay);
    }
}

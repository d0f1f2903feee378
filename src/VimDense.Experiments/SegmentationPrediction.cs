using OpenCvSharp;
using VimDense.Datasets.Ade20k;
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

    /// <summary>
    /// Writes the label map as a grey PNG in the data set's encoding (<see cref="ReduceZeroLabel"/>: train id t as
    /// t + 1, as ADE20K's annotations and devkit count; else the train ids themselves).
    /// </summary>
    public void WriteLabels(string path)
    {
        var encoded = (byte[])Labels.Clone();
        Ade20kLabels.ToDatasetEncoding(encoded, ReduceZeroLabel);
        SegmentationPng.Write(path, encoded, Height, Width);
    }

    /// <summary>Whether the data set's label maps are stored with reduce_zero_label (data.reduce_zero_label): see <see cref="WriteLabels"/>.</summary>
    public bool ReduceZeroLabel { get; init; }

    /// <summary>
    /// Writes the image at <paramref name="imagePath"/> and, beside it, the label map in colour over it, with a legend
    /// of the classes found (<see cref="SegmentationPanels"/>).
    /// </summary>
    public void WriteOverlay(string path, string imagePath) =>
        WritePanels(path, imagePath, [("prediction", Labels)], Height, Width, ClassNames ?? [], Palette);

    /// <summary>The class colours of the overlay (the experiment's data.palette or default palette).</summary>
    public IReadOnlyList<(byte R, byte G, byte B)>? Palette { get; init; }

    /// <summary>The class names of the overlay's legend (the experiment's); null: train ids.</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    public void Dispose() => Scores.Dispose();

    /// <summary>The arg-max labels of scores (1, K, H, W).</summary>
    internal static byte[] LabelsOf(Tensor scores)
    {
        using var labels = scores.argmax(1)[0].to(ScalarType.Byte).cpu().contiguous();
        return labels.data<byte>().ToArray();
    }

    /// <summary>The image at <paramref name="imagePath"/> beside each titled label map over it, with a class legend.</summary>
    internal static void WritePanels(string path, string imagePath, IReadOnlyList<(string Title, byte[] Labels)> maps, int height, int width,
        IReadOnlyList<string> classNames, IReadOnlyList<(byte R, byte G, byte B)>? palette = null, byte ignoreIndex = 255)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var bgr = ImageFiles.ReadColor(imagePath);
        using var overlay = SegmentationPanels.Draw(bgr, maps, height, width, classNames, palette, ignoreIndex);
        Cv2.ImWrite(path, overlay);
    }
}

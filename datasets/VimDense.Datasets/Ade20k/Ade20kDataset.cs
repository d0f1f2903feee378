using OpenCvSharp;
using VimDense.Datasets.Loading;
using VimDense.Datasets.Transforms;

namespace VimDense.Datasets.Ade20k;

/// <summary>
/// ADEChallengeData2016 (or a folder laid out the same way): <c>images/{split}/*.jpg</c> paired by file stem
/// with <c>annotations/{split}/*.png</c>, sorted by name. Labels are validated, reduced (0 → ignore, k → k−1)
/// and passed with the image through a segmentation pipeline.
/// </summary>
public sealed class Ade20kDataset : IDataset<SegmentationSample>
{
    private readonly List<(string Image, string Label, string Name)> _pairs = [];

    /// <param name="root">The folder holding images/ and annotations/ (ADEChallengeData2016).</param>
    /// <param name="pipeline">Training or test pipeline.</param>
    public Ade20kDataset(string root, ISegmentationPipeline pipeline, Ade20kOptions? options = null)
    {
        Options = options ?? new Ade20kOptions();
        Pipeline = pipeline;
        Root = root;
        var imageDir = Path.Combine(root, "images", Options.Split);
        var labelDir = Path.Combine(root, "annotations", Options.Split);
        if (!Directory.Exists(imageDir)) throw new DirectoryNotFoundException($"{imageDir}: ADE20K image folder not found");
        if (!Directory.Exists(labelDir)) throw new DirectoryNotFoundException($"{labelDir}: ADE20K annotation folder not found");
        var images = Directory.GetFiles(imageDir, "*" + Options.ImageSuffix).OrderBy(p => p, StringComparer.Ordinal);
        foreach (var image in images)
        {
            var name = Path.GetFileNameWithoutExtension(image);
            var label = Path.Combine(labelDir, name + Options.LabelSuffix);
            if (!File.Exists(label))
            {
                if (!Options.SkipBadSamples)
                    throw new BadSampleException($"{label}: annotation missing for image {image}");
                MissingPairs++;
                continue;
            }
            _pairs.Add((image, label, name));
        }
        if (_pairs.Count == 0) throw new InvalidDataException($"{imageDir}: no '*{Options.ImageSuffix}' images with annotations");
    }

    public string Root { get; }
    public Ade20kOptions Options { get; }
    public ISegmentationPipeline Pipeline { get; }
    public int Count => _pairs.Count;

    /// <summary>Images skipped at indexing because their annotation was missing (SkipBadSamples only).</summary>
    public int MissingPairs { get; }

    /// <summary>Image path, label path and stem of sample <paramref name="index"/>.</summary>
    public (string Image, string Label, string Name) Files(int index) => _pairs[index];

    public SegmentationSample Get(int index, Random rng)
    {
        var (image, label) = LoadRaw(index);
        using (image)
        using (label)
            return Pipeline.Apply(image, label, _pairs[index].Name, rng);
    }

    /// <summary>
    /// Decodes sample <paramref name="index"/>: BGR image and train-id label map (reduced when configured),
    /// after checking that sizes match and every label value is in range. The caller disposes both.
    /// </summary>
    public (Mat Image, Mat Label) LoadRaw(int index)
    {
        var (imagePath, labelPath, _) = _pairs[index];
        var image = ImageFiles.ReadColor(imagePath, Options.MaxImagePixels);
        Mat? label = null;
        try
        {
            label = ImageFiles.ReadLabel(labelPath, Options.MaxImagePixels);
            if (label.Size() != image.Size())
                throw new BadSampleException($"{labelPath}: label map is {label.Width}x{label.Height} but image {imagePath} is {image.Width}x{image.Height}");
            var bytes = ChwConversion.ToBytes(label);
            var bad = Ade20kLabels.FirstInvalidValue(bytes, Options.NumClasses, Options.ReduceZeroLabel);
            if (bad >= 0)
                throw new BadSampleException($"{labelPath}: label value {bad} is out of range for {Options.NumClasses} classes");
            if (Options.ReduceZeroLabel)
            {
                Ade20kLabels.ReduceZeroLabel(bytes);
                label.Dispose();
                label = ChwConversion.FromBytes(bytes, image.Height, image.Width);
            }
            return (image, label);
        }
        catch
        {
            image.Dispose();
            label?.Dispose();
            throw;
        }
    }
}

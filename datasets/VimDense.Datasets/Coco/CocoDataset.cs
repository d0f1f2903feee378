using OpenCvSharp;
using VimDense.Datasets.Loading;
using VimDense.Datasets.Masks;
using VimDense.Datasets.Transforms;
using VimDense.Structures;

namespace VimDense.Datasets.Coco;

/// <summary>
/// COCO instances with detectron2's loader rules: for training, crowd annotations are left out and images
/// without any non-crowd annotation are dropped (filter_empty); for evaluation every image is kept with all
/// its annotations (crowd ones flagged). Each sample is decoded, checked against the JSON size and passed
/// through a detection pipeline.
/// </summary>
public sealed class CocoDataset : IDataset<DetectionSample>
{
    private readonly List<CocoImage> _images;

    /// <param name="skipBadSamples">
    /// Leave out (and count in <see cref="MissingImages"/>) images whose file is missing; otherwise a missing image is
    /// an error at construction naming it and how many are missing.
    /// </param>
    /// <param name="maxImagePixels">Images with more pixels (from their header) are bad samples.</param>
    public CocoDataset(CocoAnnotationFile annotations, string imageDir, IDetectionPipeline pipeline, bool forTraining,
        bool skipBadSamples = false, long maxImagePixels = ImageFiles.DefaultMaxPixels)
    {
        MaxImagePixels = maxImagePixels;
        if (!Directory.Exists(imageDir)) throw new DirectoryNotFoundException($"{imageDir}: COCO image folder not found");
        Annotations = annotations;
        ImageDir = imageDir;
        Pipeline = pipeline;
        ForTraining = forTraining;
        _images = forTraining
            ? annotations.Images.Where(i => annotations.AnnotationsOf(i.Id).Any(a => !a.IsCrowd)).ToList()
            : annotations.Images.ToList();
        var missing = _images.Where(i => !File.Exists(Path.Combine(imageDir, i.FileName))).ToList();
        if (missing.Count > 0 && !skipBadSamples)
            throw new BadSampleException($"{Path.Combine(imageDir, missing[0].FileName)}: image file not found ({missing.Count} of the " +
                                         $"{_images.Count} images {annotations.Path} lists are missing; data.on_bad_sample=skip leaves them out)");
        MissingImages = missing.Count;
        if (missing.Count > 0) _images = _images.Except(missing).ToList();
        if (_images.Count == 0) throw new InvalidDataException($"{annotations.Path}: no usable images");
    }

    /// <summary>
    /// Opens the standard layout <c>root/annotations/instances_{split}.json</c> + <c>root/{split}/</c>
    /// (split e.g. "train2017", "val2017").
    /// </summary>
    public static CocoDataset Open(string root, string split, IDetectionPipeline pipeline, bool forTraining,
        bool skipBadSamples = false, long maxImagePixels = ImageFiles.DefaultMaxPixels) =>
        new(CocoAnnotationFile.Load(Path.Combine(root, "annotations", $"instances_{split}.json")), Path.Combine(root, split), pipeline, forTraining,
            skipBadSamples, maxImagePixels);

    public CocoAnnotationFile Annotations { get; }
    public string ImageDir { get; }
    public IDetectionPipeline Pipeline { get; }
    public bool ForTraining { get; }
    public int Count => _images.Count;

    /// <summary>Images the training filter left out (no non-crowd annotation).</summary>
    public int DroppedEmptyImages => Annotations.Images.Count - _images.Count - MissingImages;

    /// <summary>Images left out because their file is missing (only when constructed to skip bad samples).</summary>
    public int MissingImages { get; }

    public long MaxImagePixels { get; }

    public CocoImage ImageInfo(int index) => _images[index];

    public DetectionSample Get(int index, Random rng)
    {
        var (image, instances) = LoadRaw(index);
        using (image) return Pipeline.Apply(image, instances, _images[index], rng);
    }

    /// <summary>The decoded BGR image (caller disposes) and its instances in original coordinates.</summary>
    public (Mat Image, List<Instance> Instances) LoadRaw(int index)
    {
        var info = _images[index];
        var path = Path.Combine(ImageDir, info.FileName);
        var image = ImageFiles.ReadColor(path, MaxImagePixels);
        if (image.Height != info.Height || image.Width != info.Width)
        {
            var found = $"{image.Width}x{image.Height}";
            image.Dispose();
            throw new BadSampleException($"{path}: image is {found} but {Annotations.Path} says {info.Width}x{info.Height}");
        }
        var instances = new List<Instance>();
        foreach (var a in Annotations.AnnotationsOf(info.Id))
        {
            if (ForTraining && a.IsCrowd) continue;
            byte[]? bitmask = null;
            if (a.Segmentation?.Rle is { } rle)
            {
                if (rle.Height != info.Height || rle.Width != info.Width)
                {
                    image.Dispose();
                    throw new BadSampleException($"{Annotations.Path}: annotation {a.Id} mask is {rle.Width}x{rle.Height}, image {info.FileName} is {info.Width}x{info.Height}");
                }
                bitmask = RleCodec.Decode(rle);
            }
            // The training view guarantees a box; COCO's is XYWH_ABS.
            instances.Add(Instance.FromBox(a.Bbox!, BoxMode.XywhAbs, Annotations.IndexOfCategory(a.CategoryId),
                a.Segmentation?.Polygons ?? [], bitmask, a.IsCrowd));
        }
        return (image, instances);
    }
}

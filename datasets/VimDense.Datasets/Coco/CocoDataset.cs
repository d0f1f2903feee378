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

    public CocoDataset(CocoAnnotationFile annotations, string imageDir, IDetectionPipeline pipeline, bool forTraining)
    {
        if (!Directory.Exists(imageDir)) throw new DirectoryNotFoundException($"{imageDir}: COCO image folder not found");
        Annotations = annotations;
        ImageDir = imageDir;
        Pipeline = pipeline;
        ForTraining = forTraining;
        _images = forTraining
            ? annotations.Images.Where(i => annotations.AnnotationsOf(i.Id).Any(a => !a.IsCrowd)).ToList()
            : annotations.Images.ToList();
        if (_images.Count == 0) throw new InvalidDataException($"{annotations.Path}: no usable images");
    }

    /// <summary>
    /// Opens the standard layout <c>root/annotations/instances_{split}.json</c> + <c>root/{split}/</c>
    /// (split e.g. "train2017", "val2017").
    /// </summary>
    public static CocoDataset Open(string root, string split, IDetectionPipeline pipeline, bool forTraining) =>
        new(CocoAnnotationFile.Load(Path.Combine(root, "annotations", $"instances_{split}.json")), Path.Combine(root, split), pipeline, forTraining);

    public CocoAnnotationFile Annotations { get; }
    public string ImageDir { get; }
    public IDetectionPipeline Pipeline { get; }
    public bool ForTraining { get; }
    public int Count => _images.Count;

    /// <summary>Images the training filter left out (no non-crowd annotation).</summary>
    public int DroppedEmptyImages => Annotations.Images.Count - _images.Count;

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
        var image = ImageFiles.ReadColor(path);
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

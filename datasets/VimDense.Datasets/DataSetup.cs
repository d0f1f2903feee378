using VimDense.Datasets.Ade20k;
using VimDense.Datasets.Coco;
using VimDense.Datasets.Loading;
using VimDense.Datasets.Synthetic;
using VimDense.Datasets.Transforms;

namespace VimDense.Datasets;

/// <summary>
/// One-call construction of the standard data sets, pipelines and loaders (used by the CLI and the trainers).
/// <paramref name="cropSize"/> is the training crop (segmentation; the scale is (4·crop, crop) as 2048×512 is
/// for 512) or the LSJ image size (detection).
/// </summary>
public static class DataSetup
{
    /// <summary>Split names accepted for ADE20K ("training"/"validation"/"testing", also "train"/"val"/"test").</summary>
    public static string Ade20kSplit(string split) => split switch
    {
        "training" or "train" or "train2017" => "training",
        "validation" or "val" or "val2017" => "validation",
        "testing" or "test" => "testing", // ADE20K's test images (release_test), unannotated: format-only
        _ => throw new ArgumentException($"unknown split '{split}' (expected training, validation or testing)"),
    };

    /// <summary>Split names for COCO ("train2017"/"val2017", also "training"/"validation").</summary>
    public static string CocoSplit(string split) => split switch
    {
        "training" or "train" => "train2017",
        "validation" or "val" => "val2017",
        _ => split,
    };

    public static SegmentationPipelineOptions SegmentationOptions(int cropSize) => new()
    {
        Scale = (4 * cropSize, cropSize),
        CropSize = (cropSize, cropSize),
    };

    public static DetectionPipelineOptions DetectionOptions(int imageSize) => new() { SquareSize = imageSize };

    /// <summary>An ADE20K-layout data set; the class count comes from synthetic.json when present, else 150.</summary>
    public static Ade20kDataset Ade20k(string root, string split, bool train, int cropSize = 512, bool skipBadSamples = false)
    {
        var options = SegmentationOptions(cropSize);
        ISegmentationPipeline pipeline = train ? new SegmentationTrainPipeline(options) : new SegmentationTestPipeline(options);
        return new Ade20kDataset(root, pipeline, new Ade20kOptions
        {
            Split = Ade20kSplit(split),
            NumClasses = SyntheticInfo.NumClasses(root) ?? Ade20kClasses.Count,
            SkipBadSamples = skipBadSamples,
        });
    }

    /// <summary>A COCO-layout data set with the LSJ training or the shortest-edge test pipeline.</summary>
    public static CocoDataset Coco(string root, string split, bool train, int imageSize = 1024)
    {
        var options = DetectionOptions(imageSize);
        IDetectionPipeline pipeline = train ? new LsjTrainPipeline(options) : new DetectionTestPipeline(options);
        return CocoDataset.Open(root, CocoSplit(split), pipeline, forTraining: train);
    }

    /// <summary>The segmentation loader: infinite and shuffled for training, one ordered pass otherwise.</summary>
    public static DataLoader<SegmentationSample, SegmentationBatch> SegmentationLoader(IDataset<SegmentationSample> dataset,
        DataLoaderOptions options, bool train, Action<string>? log = null) =>
        new(dataset, new SegmentationCollator().Collate, options with { Shuffle = train }, singlePass: !train, log);

    /// <summary>The detection loader, padding images to <paramref name="imageSize"/>².</summary>
    public static DataLoader<DetectionSample, DetectionBatch> DetectionLoader(IDataset<DetectionSample> dataset,
        DataLoaderOptions options, bool train, int imageSize = 1024, bool withMasks = false, Action<string>? log = null) =>
        new(dataset, new DetectionCollator(imageSize, imageSize, withMasks).Collate, options with { Shuffle = train },
            singlePass: !train, log);
}

using OpenCvSharp;
using VimDense.Datasets.Coco;
using VimDense.Datasets.Loading;
using VimDense.Datasets.Transforms;
using VimDense.Datasets.Visual;
using VimDense.Heads.Detection;
using VimDense.Structures;
using VimDense.Config;
using static TorchSharp.torch;

namespace VimDense.Experiments;

/// <summary>
/// Detects objects in single images with a trained detector (detectron2's DefaultPredictor): the experiment's test
/// pipeline (shorter side to the image size, capped), detections at the original resolution above a score threshold,
/// and overlays drawing them (masks, boxes, class names and scores) on the original image.
/// </summary>
public sealed class DetectionPredictor : ImagePredictor<DetectionPrediction>
{
    private readonly IDetectionPipeline pipeline;
    private readonly DetectionCollator collator;

    /// <summary>A predictor for <paramref name="model"/>; <paramref name="classNames"/> default to the experiment's.</summary>
    public DetectionPredictor(DetectionExperiment experiment, CascadeMaskRcnn model, IReadOnlyList<string>? classNames = null)
    {
        Model = model;
        pipeline = experiment.Pipeline(train: false);
        var size = experiment.PipelineOptions().ImageSize;
        collator = new DetectionCollator(size.Height, size.Width);
        ClassNames = classNames ?? experiment.ClassNames();
        ScoreThreshold = experiment.TestOptions.OverlayScoreThreshold;
    }

    /// <summary>A predictor with the weights of a training checkpoint.</summary>
    public DetectionPredictor(DetectionExperiment experiment, string checkpoint, bool ema = false)
        : this(experiment, experiment.LoadModel(checkpoint, ema)) { }

    public CascadeMaskRcnn Model { get; }

    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Detections scoring below this are dropped (default: the config's test.overlay_score_threshold).</summary>
    public double ScoreThreshold { get; set; }

    public override DetectionPrediction Predict(Mat bgr, string name)
    {
        using var scope = NewDisposeScope();
        var sample = pipeline.Apply(bgr, [], new CocoImage(0, bgr.Rows, bgr.Cols, name), new Random(0));
        using var batch = collator.Collate([sample]);
        Model.eval();
        var raw = Model.Predict(Engine.DevicePlacement.OnDevice(batch.Images, Engine.DevicePlacement.DeviceOf(Model)), DetectionBatchAdapter.ImageSizes(batch), DetectionBatchAdapter.OriginalSizes(batch));
        var detections = DetectionExport.ToPlain(raw[0]).Where(d => d.Score >= ScoreThreshold).ToList();
        return new DetectionPrediction(name, bgr.Rows, bgr.Cols, detections, ClassNames);
    }

    /// <summary>Writes the overlay PNG of <paramref name="imagePath"/> and returns the number of detections drawn.</summary>
    public int WriteOverlay(string imagePath, string overlayPath)
    {
        using var bgr = ImageFiles.ReadColor(imagePath);
        var prediction = Predict(bgr, Path.GetFileNameWithoutExtension(imagePath));
        using var overlay = Draw(bgr, prediction.Detections, scores: true);
        Save(overlay, overlayPath);
        return prediction.Detections.Count;
    }

    /// <summary>
    /// Writes the ground truth (boxes, masks, class names) beside the prediction (with scores) on the same image, each
    /// under its title; returns the number of detections drawn.
    /// </summary>
    public int WriteComparison(Mat bgr, IReadOnlyList<Instance> groundTruth, string name, string overlayPath)
    {
        var prediction = Predict(bgr, name);
        using var truth = Draw(bgr, groundTruth, scores: false);
        using var predicted = Draw(bgr, prediction.Detections, scores: true);
        using var both = TitledPanels.Row([("ground truth", truth), ("prediction", predicted)]);
        Save(both, overlayPath);
        return prediction.Detections.Count;
    }

    /// <summary>Instances (ground truth or detections) over the image: masks, boxes, class names and, with <paramref name="scores"/>, scores.</summary>
    private Mat Draw(Mat bgr, IReadOnlyList<Instance> instances, bool scores)
    {
        var masks = instances.Select(d => d.Bitmask is null ? null : ChwConversion.FromBytes(d.Bitmask, bgr.Rows, bgr.Cols)).ToList();
        try
        {
            return OverlayRenderer.Detection(bgr,
                instances.Select(d => ((float)d.X1, (float)d.Y1, (float)d.X2, (float)d.Y2)).ToList(),
                instances.Select(d => d.ClassIndex).ToList(), instances.Select(d => d.Polygons).ToList(), ClassNames, masks,
                scores ? instances.Select(d => d.Score).ToList() : null);
        }
        finally
        {
            foreach (var m in masks) m?.Dispose();
        }
    }

    private static void Save(Mat picture, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        if (!Cv2.ImWrite(path, picture)) throw new UserInputException($"{path}: cannot write the image");
    }
}

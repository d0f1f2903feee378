using OpenCvSharp;
using VimDense.Datasets.Coco;
using VimDense.Datasets.Loading;
using VimDense.Datasets.Transforms;
using VimDense.Datasets.Visual;
using VimDense.Heads.Detection;
using VimDense.Config;
using static TorchSharp.torch;

namespace VimDense.Experiments;

/// <summary>
/// Detects objects in single images with a trained detector (detectron2's DefaultPredictor): the experiment's test
/// pipeline (shorter side to the image size, capped), detections at the original resolution above a score threshold,
/// and overlays drawing them (masks, boxes, class names) on the original image.
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
        ScoreThreshold = experiment.Config.Test.Bind<DetectionTestOptions>(ConfigBinding.KeysOf<TestConfig>()).OverlayScoreThreshold;
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
        var raw = Model.Predict(batch.Images, DetectionBatchAdapter.ImageSizes(batch), DetectionBatchAdapter.OriginalSizes(batch));
        var detections = DetectionExport.ToPlain(raw[0]).Where(d => d.Score >= ScoreThreshold).ToList();
        return new DetectionPrediction(name, bgr.Rows, bgr.Cols, detections, ClassNames);
    }

    /// <summary>Writes the overlay PNG of <paramref name="imagePath"/> and returns the number of detections drawn.</summary>
    public int WriteOverlay(string imagePath, string overlayPath)
    {
        using var bgr = ImageFiles.ReadColor(imagePath);
        var prediction = Predict(bgr, Path.GetFileNameWithoutExtension(imagePath));
        var detections = prediction.Detections;
        var masks = detections.Select(d => d.Bitmask is null ? null : ChwConversion.FromBytes(d.Bitmask, prediction.Height, prediction.Width)).ToList();
        try
        {
            using var overlay = OverlayRenderer.Detection(bgr,
                detections.Select(d => ((float)d.X1, (float)d.Y1, (float)d.X2, (float)d.Y2)).ToList(),
                detections.Select(d => d.ClassIndex).ToList(),
                detections.Select(_ => (IReadOnlyList<double[]>)[]).ToList(), ClassNames, masks);
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(overlayPath))!);
            Cv2.ImWrite(overlayPath, overlay);
        }
        finally
        {
            foreach (var m in masks) m?.Dispose();
        }
        return detections.Count;
    }
}

using OpenCvSharp;
using VimDense.Cli.Detection;
using VimDense.Datasets.Coco;
using VimDense.Datasets.Loading;
using VimDense.Datasets.Transforms;
using VimDense.Datasets.Visual;
using VimDense.Heads.Detection;
using VimDense.Structures;
using static TorchSharp.torch;

namespace VimDense.Cli.Experiments;

/// <summary>
/// Runs a detector on image files through the test pipeline (shorter side to the image size, capped) and draws
/// the detections above a score threshold (masks, boxes, class names) on the original image.
/// </summary>
internal sealed class DetectionPredictor(CascadeMaskRcnn model, DetectionPipelineOptions pipelineOptions, IReadOnlyList<string> classNames, double scoreThreshold)
{
    private readonly DetectionTestPipeline pipeline = new(pipelineOptions);
    private readonly DetectionCollator collator = new(pipelineOptions.ImageSize.Height, pipelineOptions.ImageSize.Width);

    /// <summary>Writes the overlay PNG of <paramref name="imagePath"/> and returns the number of detections drawn.</summary>
    public int WriteOverlay(string imagePath, string overlayPath)
    {
        using var bgr = ImageFiles.ReadColor(imagePath);
        List<Instance> detections;
        using (NewDisposeScope())
        {
            var sample = pipeline.Apply(bgr, [], new CocoImage(0, bgr.Rows, bgr.Cols, Path.GetFileName(imagePath)), new Random(0));
            using var batch = collator.Collate([sample]);
            model.eval();
            var raw = model.Predict(batch.Images, DetectionBatchAdapter.ImageSizes(batch), DetectionBatchAdapter.OriginalSizes(batch));
            detections = DetectionExport.ToPlain(raw[0]).Where(d => d.Score >= scoreThreshold).ToList();
        }
        // Detections are predicted at the original size (the test pipeline's OriginalSizes), so masks are the image's size.
        var masks = detections.Select(d => d.Bitmask is null ? null : ChwConversion.FromBytes(d.Bitmask, bgr.Rows, bgr.Cols)).ToList();
        try
        {
            using var overlay = OverlayRenderer.Detection(bgr,
                detections.Select(d => ((float)d.X1, (float)d.Y1, (float)d.X2, (float)d.Y2)).ToList(),
                detections.Select(d => d.ClassIndex).ToList(),
                detections.Select(_ => (IReadOnlyList<double[]>)[]).ToList(), classNames, masks);
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

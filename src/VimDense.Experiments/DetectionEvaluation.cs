using System.Text;
using Newtonsoft.Json.Linq;
using VimDense.Datasets.Coco;
using VimDense.Datasets.Evaluation;

namespace VimDense.Experiments;

/// <summary>
/// COCO box (and mask) AP of detections on a set of validation images, scored in memory, and the results files
/// written alongside (results_bbox.json, results_segm.json: what `vimdense cocoeval --dt` accepts).
/// </summary>
public sealed class DetectionEvaluation : IEvaluation
{
    private DetectionEvaluation(CocoEvalResult bbox, CocoEvalResult? segm, string bboxPath, string? segmPath, int images, int detections)
    {
        Bbox = bbox;
        Segm = segm;
        BboxResultsPath = bboxPath;
        SegmResultsPath = segmPath;
        Images = images;
        Detections = detections;
    }

    public CocoEvalResult Bbox { get; }
    public CocoEvalResult? Segm { get; }
    public string BboxResultsPath { get; }
    public string? SegmResultsPath { get; }
    public int Images { get; }
    public int Detections { get; }

    /// <summary>
    /// Writes the results files to <paramref name="outDir"/> and evaluates the detections against the ground truth of
    /// <paramref name="imageIds"/> only (a partial validation pass is scored on the images it saw). As detectron2,
    /// the mask evaluation takes results without boxes so that areas come from the masks.
    /// </summary>
    public static DetectionEvaluation Score(string groundTruthPath, IReadOnlySet<long> imageIds, List<CocoAnnotation> results, bool masks, string outDir)
    {
        Directory.CreateDirectory(outDir);
        var bboxPath = Path.Combine(outDir, "results_bbox.json");
        CocoResultsWriter.Write(bboxPath, results, includeBoxes: true, includeMasks: false);
        string? segmPath = null;
        if (masks)
        {
            segmPath = Path.Combine(outDir, "results_segm.json");
            CocoResultsWriter.Write(segmPath, results, includeBoxes: false, includeMasks: true);
        }
        var full = CocoGroundTruth.Load(groundTruthPath, includeSegmentation: masks);
        var groundTruth = new CocoGroundTruth(full.Images.Where(i => imageIds.Contains(i.Id)).ToList(), full.Categories,
            full.Annotations.Where(a => imageIds.Contains(a.ImageId)).ToList(), full.Source);
        var bbox = CocoEvaluator.Run(groundTruth, CocoResults.FromDetections(results, groundTruth, CocoIouType.Bbox), CocoIouType.Bbox);
        var segm = masks ? CocoEvaluator.Run(groundTruth, CocoResults.FromDetections(results, groundTruth, CocoIouType.Segm), CocoIouType.Segm) : null;
        return new DetectionEvaluation(bbox, segm, bboxPath, segmPath, imageIds.Count, results.Count);
    }

    /// <summary>
    /// bbox_AP, bbox_AP50, ... (and segm_*) on the 0–100 scale, as detectron2 logs them; a metric pycocotools leaves
    /// undefined (−1: no ground truth in that area range) is left out rather than logged as a number.
    /// </summary>
    public IReadOnlyDictionary<string, double> Summary()
    {
        string[] names = ["AP", "AP50", "AP75", "APs", "APm", "APl"];
        var summary = new Dictionary<string, double>();
        foreach (var (prefix, result) in new[] { ("bbox", (CocoEvalResult?)Bbox), ("segm", Segm) })
            if (result is not null)
                for (var i = 0; i < names.Length; i++)
                    if (result.Stats[i] >= 0) summary[$"{prefix}_{names[i]}"] = 100 * result.Stats[i];
        return summary;
    }

    /// <summary>The pycocotools 12-line summaries of bbox and segm, each under a heading.</summary>
    public string FormatTable()
    {
        var text = new StringBuilder();
        text.AppendLine($"bbox ({Images} images, {Detections} detections):");
        foreach (var line in Bbox.SummaryLines) text.AppendLine(line);
        if (Segm is not null)
        {
            text.AppendLine("segm:");
            foreach (var line in Segm.SummaryLines) text.AppendLine(line);
        }
        return text.ToString().TrimEnd();
    }

    public JObject ToJson(string checkpoint) => new()
    {
        ["checkpoint"] = checkpoint,
        ["images"] = Images,
        ["detections"] = Detections,
        ["bbox"] = Bbox.ToJson(),
        ["segm"] = Segm?.ToJson(),
        ["results"] = new JObject { ["bbox"] = BboxResultsPath, ["segm"] = SegmResultsPath },
    };
}

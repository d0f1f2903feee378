using System.Globalization;
using Newtonsoft.Json.Linq;
using VimDense.Datasets.Coco;
using VimDense.Datasets.Evaluation;

namespace VimDense.Experiments;

/// <summary>
/// `predict --json` for a detector: the detections on a folder of images as COCO results files (results_bbox.json,
/// and results_segm.json with masks: what `vimdense cocoeval`, pycocotools and detectron2's tools read) plus images.json,
/// the image list in COCO's image-info form (id, file_name, height, width) the results refer to. Image ids are the file
/// names when every one is a number (COCO's 000000397133.jpg → 397133), else the 1-based position in name order;
/// category ids are the data set file's own (3, 7, 12 stay 3, 7, 12), mapped back from the train ids.
/// </summary>
public static class CocoPredictionFiles
{
    /// <summary>Predicts on each file and writes the three files to <paramref name="outDir"/>; returns their paths.</summary>
    public static IReadOnlyList<string> Write(DetectionExperiment experiment, DetectionPredictor predictor, IReadOnlyList<string> files, string outDir,
        Action<string, int>? progress = null)
    {
        var classes = experiment.Classes;
        var categoryIds = Enumerable.Range(0, classes.Count).Select(classes.CategoryIdOf).ToList();
        var ids = ImageIds(files);
        var results = new List<CocoAnnotation>();
        var images = new JArray();
        for (var i = 0; i < files.Count; i++)
        {
            var prediction = predictor.Predict(files[i]);
            results.AddRange(CocoDetectionResults.From(ids[i], prediction.Height, prediction.Width, prediction.Detections, categoryIds));
            images.Add(new JObject { ["id"] = ids[i], ["file_name"] = Path.GetFileName(files[i]), ["height"] = prediction.Height, ["width"] = prediction.Width });
            progress?.Invoke(files[i], prediction.Detections.Count);
        }
        Directory.CreateDirectory(outDir);
        var paths = new List<string> { Path.Combine(outDir, "results_bbox.json") };
        CocoResultsWriter.Write(paths[0], results, includeBoxes: true, includeMasks: false);
        if (experiment.Masks)
        {
            paths.Add(Path.Combine(outDir, "results_segm.json"));
            CocoResultsWriter.Write(paths[^1], results, includeBoxes: false, includeMasks: true);
        }
        var categories = new JArray(Enumerable.Range(0, classes.Count).Select(k => new JObject { ["id"] = categoryIds[k], ["name"] = classes.Names[k] }));
        paths.Add(Path.Combine(outDir, "images.json"));
        VimDense.IO.AtomicFile.WriteAllText(paths[^1], new JObject { ["images"] = images, ["categories"] = categories }.ToString());
        return paths;
    }

    /// <summary>The files' names as ids when all are distinct non-negative integers, else 1, 2, … in the given order.</summary>
    public static IReadOnlyList<long> ImageIds(IReadOnlyList<string> files)
    {
        var numbers = files.Select(f => long.TryParse(Path.GetFileNameWithoutExtension(f), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1).ToList();
        return numbers.All(n => n >= 0) && numbers.Distinct().Count() == numbers.Count
            ? numbers : Enumerable.Range(1, files.Count).Select(i => (long)i).ToList();
    }
}

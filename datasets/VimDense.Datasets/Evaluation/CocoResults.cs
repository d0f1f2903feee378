using VimDense.Datasets.Coco;

namespace VimDense.Datasets.Evaluation;

/// <summary>
/// Detection results (the COCO results JSON: a list of {image_id, category_id, score, bbox and/or segmentation})
/// loaded with the rules of pycocotools' <c>COCO.loadRes</c>: ids 1..n in file order, iscrowd 0; when the FIRST
/// result has a non-empty bbox every result is read as a box result (area = w·h, even for segm evaluation, and a
/// missing mask becomes the box polygon); otherwise masks give the area and, when absent, the box.
/// Unlike pycocotools, unknown categories and non-finite scores are errors instead of silently dropped/NaN.
/// </summary>
public static class CocoResults
{
    /// <summary>Reads a results file (<see cref="CocoJsonReader.ReadResults"/>) and applies <see cref="Prepare"/>.</summary>
    public static List<CocoAnnotation> Load(string path, CocoGroundTruth groundTruth) =>
        Prepare(CocoJsonReader.ReadResults(path), groundTruth, path);

    /// <summary>
    /// In-memory detections scored the way their results file would be (what <see cref="CocoResultsWriter"/> writes
    /// and <see cref="Load"/> reads back, without the file): for bbox the boxes only; for segm the masks only, so that
    /// areas come from the masks, as detectron2 evaluates. <paramref name="detections"/> are not modified.
    /// </summary>
    public static List<CocoAnnotation> FromDetections(IEnumerable<CocoAnnotation> detections, CocoGroundTruth groundTruth, CocoIouType iouType)
    {
        var results = detections.Select(d =>
        {
            var r = d.Copy();
            if (iouType == CocoIouType.Bbox) r.Segmentation = null;
            else r.Bbox = null;
            return r;
        }).ToList();
        return Prepare(results, groundTruth);
    }

    /// <summary>
    /// Checks results against the ground truth and fills Id, Area, IsCrowd and missing Bbox/Segmentation as loadRes
    /// does. Modifies and returns <paramref name="results"/>.
    /// </summary>
    public static List<CocoAnnotation> Prepare(List<CocoAnnotation> results, CocoGroundTruth groundTruth, string source = "results")
    {
        if (results.Count == 0) return results;
        var boxMode = results[0].Bbox is not null;
        if (!boxMode && results[0].Segmentation is null)
            throw new InvalidDataException($"{source}: result 0 has neither 'bbox' nor 'segmentation'");
        for (var i = 0; i < results.Count; i++)
        {
            var r = results[i];
            var where = new CocoJsonPlace(source, CocoJsonPlace.Result, i); // text only for an error
            if (!groundTruth.ImagesById.TryGetValue(r.ImageId, out var image))
                throw new InvalidDataException($"{where}: field 'image_id' {r.ImageId} is not an image of the ground truth {groundTruth.Source}");
            if (!groundTruth.CategoriesById.ContainsKey(r.CategoryId))
                throw new InvalidDataException($"{where}: field 'category_id' {r.CategoryId} is not a category of the ground truth {groundTruth.Source}");
            if (!double.IsFinite(r.Score))
                throw new InvalidDataException($"{where}: field 'score' must be a finite number, found {r.Score}");
            if (r.Segmentation?.Rle is { } rle && (rle.Height != image.Height || rle.Width != image.Width))
                throw new InvalidDataException(
                    $"{where}: field 'segmentation.size' [{rle.Height}, {rle.Width}] differs from image {image.Id} size [{image.Height}, {image.Width}]");
            r.Id = i + 1;
            r.IsCrowd = false;
            if (boxMode)
            {
                var b = r.Bbox ?? throw new InvalidDataException(
                    $"{where}: missing field 'bbox' (result 0 has one, so all results are read as box results, as pycocotools does)");
                r.Area = b[2] * b[3];
                r.Segmentation ??= CocoSegmentation.FromBox(b);
            }
            else
            {
                var segmentation = r.Segmentation ?? throw new InvalidDataException(
                    $"{where}: missing field 'segmentation' (result 0 has no 'bbox', so all results are read as mask results)");
                Masks.Rle mask;
                try { mask = segmentation.ToRle(image.Height, image.Width); }
                catch (Exception e) when (e is InvalidDataException or ArgumentException)
                {
                    throw new InvalidDataException($"{where}: field 'segmentation': {e.Message}", e);
                }
                r.Area = Masks.RleCodec.Area(mask);
                r.Bbox ??= Masks.RleCodec.ToBox(mask);
                if (segmentation.Rle is null) r.Segmentation = CocoSegmentation.FromRle(mask);
            }
        }
        return results;
    }
}

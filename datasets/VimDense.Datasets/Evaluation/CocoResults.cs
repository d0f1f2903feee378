using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

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
    /// <summary>Streams a results file and applies <see cref="Prepare"/>.</summary>
    public static List<CocoAnnotation> Load(string path, CocoGroundTruth groundTruth)
    {
        var results = new List<CocoAnnotation>();
        using (var reader = CocoJsonReader.Open(path))
        {
            CocoJsonReader.Next(reader, path);
            if (reader.TokenType != JsonToken.StartArray)
                throw new InvalidDataException($"{path}: a COCO results file must be a list of detections, found {reader.TokenType}");
            while (true)
            {
                CocoJsonReader.Next(reader, path);
                if (reader.TokenType == JsonToken.EndArray) break;
                results.Add(ReadResult(reader, $"{path}: result {results.Count}", path));
            }
        }
        return Prepare(results, groundTruth, path);
    }

    /// <summary>
    /// One result object read token by token (the common fields without building a JObject: results files hold
    /// hundreds of thousands of them); only a segmentation is materialised as a JToken.
    /// </summary>
    private static CocoAnnotation ReadResult(JsonTextReader reader, string where, string path)
    {
        if (reader.TokenType != JsonToken.StartObject)
            throw new InvalidDataException($"{where}: must be an object, found {reader.TokenType}");
        var result = new CocoAnnotation();
        bool hasImage = false, hasCategory = false, hasScore = false;
        while (true)
        {
            CocoJsonReader.Next(reader, path);
            if (reader.TokenType == JsonToken.EndObject) break;
            var name = (string)reader.Value!;
            CocoJsonReader.Next(reader, path);
            switch (name)
            {
                case "image_id":
                    result.ImageId = Integer(reader, name, where);
                    hasImage = true;
                    break;
                case "category_id":
                    result.CategoryId = Integer(reader, name, where);
                    hasCategory = true;
                    break;
                case "score":
                    result.Score = reader.TokenType is JsonToken.Integer or JsonToken.Float
                        ? Convert.ToDouble(reader.Value, System.Globalization.CultureInfo.InvariantCulture)
                        : throw new InvalidDataException($"{where}: field 'score' must be a number, found {reader.TokenType}");
                    hasScore = true;
                    break;
                case "bbox":
                    result.Bbox = CocoJsonReader.OptionalBox(new JObject { ["bbox"] = JToken.ReadFrom(reader) }, where);
                    break;
                case "segmentation":
                    result.Segmentation = CocoJsonReader.OptionalSegmentation(new JObject { ["segmentation"] = JToken.ReadFrom(reader) }, where);
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
        if (!hasImage) throw new InvalidDataException($"{where}: missing field 'image_id'");
        if (!hasCategory) throw new InvalidDataException($"{where}: missing field 'category_id'");
        if (!hasScore) throw new InvalidDataException($"{where}: missing field 'score'");
        return result;
    }

    private static long Integer(JsonTextReader reader, string field, string where)
    {
        if (reader.TokenType == JsonToken.Integer) return Convert.ToInt64(reader.Value, System.Globalization.CultureInfo.InvariantCulture);
        if (reader.TokenType == JsonToken.Float && reader.Value is double d && d == Math.Floor(d)) return (long)d;
        throw new InvalidDataException($"{where}: field '{field}' must be an integer, found {reader.TokenType} {reader.Value}");
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
            var where = $"{source}: result {i}";
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
                if (r.Segmentation is null)
                {
                    double x1 = b[0], x2 = b[0] + b[2], y1 = b[1], y2 = b[1] + b[3];
                    r.Segmentation = CocoSegmentation.FromPolygons([[x1, y1, x1, y2, x2, y2, x2, y1]]);
                }
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

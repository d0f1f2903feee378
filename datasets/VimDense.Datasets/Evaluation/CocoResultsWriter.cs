using Newtonsoft.Json;
using VimDense.Datasets.Coco;
using VimDense.Datasets.Masks;

namespace VimDense.Datasets.Evaluation;

/// <summary>
/// Writes detections in the COCO results format: a JSON list of {"image_id", "category_id", "score",
/// "bbox": [x, y, w, h], "segmentation": {"size": [h, w], "counts": compressed string}}, streamed to disk.
/// Note pycocotools reads a file whose first entry has a bbox as box results (area = w·h, also for segm);
/// write masks without boxes (<c>includeBoxes: false</c>) for a segm evaluation with mask areas, as detectron2 does.
/// </summary>
public static class CocoResultsWriter
{
    public static void Write(string path, IEnumerable<CocoAnnotation> detections, bool includeBoxes = true, bool includeMasks = true)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
        using var stream = new StreamWriter(path, false, new System.Text.UTF8Encoding(false), 1 << 16);
        Write(stream, detections, includeBoxes, includeMasks);
    }

    public static void Write(TextWriter output, IEnumerable<CocoAnnotation> detections, bool includeBoxes = true, bool includeMasks = true)
    {
        using var json = new JsonTextWriter(output) { CloseOutput = false, Formatting = Formatting.None };
        json.WriteStartArray();
        var index = 0;
        foreach (var d in detections)
        {
            if (!double.IsFinite(d.Score)) throw new ArgumentException($"detection {index}: score must be finite, found {d.Score}");
            json.WriteStartObject();
            json.WritePropertyName("image_id");
            json.WriteValue(d.ImageId);
            json.WritePropertyName("category_id");
            json.WriteValue(d.CategoryId);
            json.WritePropertyName("score");
            json.WriteValue(d.Score);
            if (includeBoxes && d.Bbox is { } box)
            {
                json.WritePropertyName("bbox");
                json.WriteStartArray();
                foreach (var v in box) json.WriteValue(v);
                json.WriteEndArray();
            }
            if (includeMasks && d.Segmentation?.Rle is { } rle) WriteRle(json, rle);
            else if (includeMasks && d.Segmentation?.Polygons is { } polygons)
            {
                json.WritePropertyName("segmentation");
                json.WriteStartArray();
                foreach (var polygon in polygons)
                {
                    json.WriteStartArray();
                    foreach (var v in polygon) json.WriteValue(v);
                    json.WriteEndArray();
                }
                json.WriteEndArray();
            }
            json.WriteEndObject();
            index++;
        }
        json.WriteEndArray();
    }

    private static void WriteRle(JsonTextWriter json, Rle rle)
    {
        json.WritePropertyName("segmentation");
        json.WriteStartObject();
        json.WritePropertyName("size");
        json.WriteStartArray();
        json.WriteValue(rle.Height);
        json.WriteValue(rle.Width);
        json.WriteEndArray();
        json.WritePropertyName("counts");
        json.WriteValue(RleCodec.ToCompressedString(rle));
        json.WriteEndObject();
    }
}

using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using VimDense.Datasets.Masks;

namespace VimDense.Datasets.Evaluation;

/// <summary>
/// Streaming access to COCO JSON files: the top level is walked with a <see cref="JsonTextReader"/> and only
/// one list element at a time becomes a <see cref="JObject"/>, so memory stays proportional to what is kept,
/// not to the file (train2017's annotation file is 450 MB). Field errors name the file, element and field.
/// </summary>
internal static class CocoJsonReader
{
    public static JsonTextReader Open(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"COCO JSON file not found: {path}", path);
        var stream = new StreamReader(path, new System.Text.UTF8Encoding(false), true, 1 << 16);
        return new JsonTextReader(stream)
        {
            FloatParseHandling = FloatParseHandling.Double,
            DateParseHandling = DateParseHandling.None,
            CloseInput = true,
            MaxDepth = 256,
        };
    }

    /// <summary>Reads the elements of the array the reader is positioned on (or about to read), one object at a time.</summary>
    public static IEnumerable<JObject> ReadObjects(JsonTextReader reader, string file, string listName)
    {
        if (reader.TokenType == JsonToken.None || reader.TokenType == JsonToken.PropertyName) Next(reader, file);
        if (reader.TokenType != JsonToken.StartArray)
            throw new InvalidDataException($"{file}: '{listName}' must be a list, found {reader.TokenType}");
        var index = 0;
        while (true)
        {
            Next(reader, file);
            if (reader.TokenType == JsonToken.EndArray) yield break;
            if (reader.TokenType != JsonToken.StartObject)
                throw new InvalidDataException($"{file}: {listName}[{index}] must be an object, found {reader.TokenType}");
            yield return (JObject)JToken.ReadFrom(reader);
            index++;
        }
    }

    public static void Next(JsonTextReader reader, string file)
    {
        try
        {
            if (!reader.Read()) throw new InvalidDataException($"{file}: unexpected end of JSON");
        }
        catch (JsonReaderException e)
        {
            throw new InvalidDataException($"{file}: invalid JSON at line {e.LineNumber}, position {e.LinePosition}: {e.Message}", e);
        }
    }

    public static long RequiredLong(JObject o, string field, string where)
    {
        var token = o[field] ?? throw new InvalidDataException($"{where}: missing field '{field}'");
        if (token.Type == JTokenType.Integer) return (long)token;
        if (token.Type == JTokenType.Float && (double)token == Math.Floor((double)token)) return (long)(double)token;
        throw new InvalidDataException($"{where}: field '{field}' must be an integer, found {token.Type} {token.ToString(Formatting.None)}");
    }

    public static double RequiredDouble(JObject o, string field, string where)
    {
        var token = o[field] ?? throw new InvalidDataException($"{where}: missing field '{field}'");
        return Number(token, field, where);
    }

    public static double Number(JToken token, string field, string where)
    {
        if (token.Type is JTokenType.Integer or JTokenType.Float) return (double)token;
        throw new InvalidDataException($"{where}: field '{field}' must be a number, found {token.Type} {token.ToString(Formatting.None)}");
    }

    /// <summary>A [x, y, w, h] box of finite numbers, or null when the field is absent (or an empty list, as loadRes treats it).</summary>
    public static double[]? OptionalBox(JObject o, string where)
    {
        var token = o["bbox"];
        if (token is null || token.Type == JTokenType.Null) return null;
        if (token is not JArray list || (list.Count != 4 && list.Count != 0))
            throw new InvalidDataException($"{where}: field 'bbox' must be a list of 4 numbers [x, y, w, h]");
        if (list.Count == 0) return null;
        var box = new double[4];
        for (var i = 0; i < 4; i++)
        {
            box[i] = Number(list[i], "bbox", where);
            if (!double.IsFinite(box[i])) throw new InvalidDataException($"{where}: field 'bbox' holds a non-finite number");
        }
        return box;
    }

    /// <summary>Parses a COCO "segmentation": polygon list, or {"size": [h, w], "counts": string | int list}.</summary>
    public static CocoSegmentation? OptionalSegmentation(JObject o, string where)
    {
        var token = o["segmentation"];
        if (token is null || token.Type == JTokenType.Null) return null;
        if (token is JArray polygons)
        {
            var list = new List<double[]>(polygons.Count);
            foreach (var polygon in polygons)
            {
                if (polygon is not JArray coords)
                    throw new InvalidDataException($"{where}: field 'segmentation' must be a list of polygons (lists of numbers) or an RLE object");
                var xy = new double[coords.Count];
                for (var i = 0; i < xy.Length; i++)
                {
                    xy[i] = Number(coords[i], "segmentation", where);
                    if (!double.IsFinite(xy[i])) throw new InvalidDataException($"{where}: field 'segmentation' holds a non-finite coordinate");
                }
                list.Add(xy);
            }
            if (list.Count == 0) throw new InvalidDataException($"{where}: field 'segmentation' is an empty polygon list");
            return CocoSegmentation.FromPolygons(list);
        }
        if (token is not JObject rle)
            throw new InvalidDataException($"{where}: field 'segmentation' must be a polygon list or an RLE object");
        if (rle["size"] is not JArray { Count: 2 } size || size[0].Type != JTokenType.Integer || size[1].Type != JTokenType.Integer)
            throw new InvalidDataException($"{where}: field 'segmentation.size' must be [height, width]");
        int h = (int)size[0], w = (int)size[1];
        if (h < 0 || w < 0) throw new InvalidDataException($"{where}: field 'segmentation.size' must be non-negative");
        var counts = rle["counts"];
        try
        {
            switch (counts?.Type)
            {
                case JTokenType.String:
                    return CocoSegmentation.FromRle(RleCodec.FromCompressedString((string)counts!, h, w));
                case JTokenType.Array:
                    var runs = new long[((JArray)counts!).Count];
                    for (var i = 0; i < runs.Length; i++)
                    {
                        var run = counts![i]!;
                        if (run.Type != JTokenType.Integer) throw new InvalidDataException("counts must be integers");
                        runs[i] = (long)run;
                    }
                    return CocoSegmentation.FromRle(RleCodec.FromUncompressed(runs, h, w));
                default:
                    throw new InvalidDataException("counts must be a string or a list of integers");
            }
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{where}: field 'segmentation.counts': {e.Message}", e);
        }
    }
}

using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using VimDense.Datasets.Masks;

namespace VimDense.Datasets.Coco;

/// <summary>
/// Reads a COCO <c>instances_*.json</c> with Newtonsoft's streaming reader: the top-level object is walked
/// token by token and only one image / annotation / category at a time becomes a JToken, so the 450 MB
/// train2017 file never exists as a whole DOM. Missing or mistyped fields raise
/// <see cref="InvalidDataException"/> naming the file, the array entry and the field.
/// </summary>
public static class CocoJsonReader
{
    public static CocoAnnotationFile Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: COCO annotation file not found", path);
        var images = new List<CocoImageInfo>();
        var rawCategories = new List<(int Id, string Name)>();
        // Annotations are parsed as they stream by (one JObject at a time); their category index and image id are
        // checked afterwards because COCO files list "categories" after "annotations".
        var parsed = new List<(CocoAnnotation Annotation, int Position)>();
        var annotationEntries = 0;
        var polygonsDropped = 0;
        try
        {
            using var text = new StreamReader(path);
            using var reader = new JsonTextReader(text);
            if (!reader.Read() || reader.TokenType != JsonToken.StartObject)
                throw new InvalidDataException($"{path}: expected a JSON object at the top level");
            while (reader.Read() && reader.TokenType == JsonToken.PropertyName)
            {
                var name = (string)reader.Value!;
                reader.Read();
                switch (name)
                {
                    case "images": ReadArray(reader, path, name, (o, where) => images.Add(ParseImage(o, where))); break;
                    case "categories":
                        ReadArray(reader, path, name, (o, where) =>
                            rawCategories.Add((Field<int>(o, "id", where), Field<string>(o, "name", where)))); break;
                    case "annotations":
                        ReadArray(reader, path, name, (o, where) =>
                        {
                            if (ParseAnnotation(o, where, ref polygonsDropped) is { } a) parsed.Add((a, annotationEntries));
                            annotationEntries++;
                        });
                        break;
                    default: reader.Skip(); break;
                }
            }
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: malformed JSON ({e.Message})", e);
        }
        catch (FieldException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }

        var categories = rawCategories.OrderBy(c => c.Id).Select((c, i) => new CocoCategory(c.Id, c.Name, i)).ToList();
        var byId = new Dictionary<int, CocoCategory>();
        foreach (var c in categories)
            if (!byId.TryAdd(c.Id, c)) throw new InvalidDataException($"{path}: categories: duplicate id {c.Id}");
        var imageIds = images.Select(i => i.Id).ToHashSet();
        var annotations = new List<CocoAnnotation>(parsed.Count);
        foreach (var (a, position) in parsed)
        {
            var where = $"annotations[{position}] (id {a.Id})";
            if (!imageIds.Contains(a.ImageId)) throw new InvalidDataException($"{path}: {where}: image_id {a.ImageId} is not in 'images'");
            if (!byId.TryGetValue(a.CategoryId, out var category))
                throw new InvalidDataException($"{path}: {where}: category_id {a.CategoryId} is not in 'categories'");
            annotations.Add(a with { CategoryIndex = category.Index });
        }
        return new CocoAnnotationFile(path, images, categories, annotations, annotationEntries - annotations.Count);
    }

    private static void ReadArray(JsonTextReader reader, string path, string name, Action<JObject, string> handle)
    {
        if (reader.TokenType != JsonToken.StartArray) throw new InvalidDataException($"{path}: '{name}' must be an array");
        var index = 0;
        while (reader.Read() && reader.TokenType != JsonToken.EndArray)
        {
            if (JToken.ReadFrom(reader) is not JObject item)
                throw new InvalidDataException($"{path}: {name}[{index}] must be an object");
            handle(item, $"{name}[{index}]");
            index++;
        }
    }

    private static CocoImageInfo ParseImage(JObject o, string where) =>
        new(Field<long>(o, "id", where), Field<string>(o, "file_name", where), Field<int>(o, "height", where), Field<int>(o, "width", where));

    /// <summary>Null when the instance has a polygon segmentation but no valid polygon (detectron2 drops it).</summary>
    private static CocoAnnotation? ParseAnnotation(JObject o, string where, ref int polygonsDropped)
    {
        var id = Field<long>(o, "id", where);
        where = $"{where} (id {id})";
        var imageId = Field<long>(o, "image_id", where);
        var categoryId = Field<int>(o, "category_id", where);
        var box = Field<JArray>(o, "bbox", where).Select(t => t.Value<double>()).ToArray();
        if (box.Length != 4) throw new FieldException($"{where}: field 'bbox' must have 4 numbers [x, y, w, h], found {box.Length}");
        var crowd = (o.Value<int?>("iscrowd") ?? 0) != 0;
        var area = o.Value<double?>("area") ?? box[2] * box[3];
        IReadOnlyList<double[]>? polygons = null;
        Rle? mask = null;
        switch (o["segmentation"])
        {
            case null or { Type: JTokenType.Null }: break;
            case JArray list:
                var all = new List<double[]>();
                for (var p = 0; p < list.Count; p++)
                {
                    var xy = (list[p] as JArray ?? throw new FieldException($"{where}: segmentation[{p}] must be a list of numbers"))
                        .Select(t => t.Value<double>()).ToArray();
                    if (xy.Length % 2 != 0)
                        throw new FieldException($"{where}: segmentation polygon {p} has an odd number of coordinates ({xy.Length})");
                    if (xy.Length >= 6) all.Add(xy);
                    else polygonsDropped++;
                }
                if (all.Count == 0) return null;
                polygons = all;
                break;
            case JObject rle:
                var size = Field<JArray>(rle, "size", where + " segmentation").Select(t => t.Value<int>()).ToArray();
                if (size.Length != 2) throw new FieldException($"{where}: segmentation 'size' must be [height, width]");
                try
                {
                    mask = rle["counts"] switch
                    {
                        JArray counts => RleCodec.FromUncompressed(counts.Select(t => t.Value<long>()).ToList(), size[0], size[1]),
                        JValue { Type: JTokenType.String } s => RleCodec.FromCompressedString((string)s!, size[0], size[1]),
                        _ => throw new FieldException($"{where}: segmentation is missing field 'counts' (list or string)"),
                    };
                }
                catch (InvalidDataException e) { throw new FieldException($"{where}: {e.Message}"); }
                break;
            default: throw new FieldException($"{where}: field 'segmentation' must be a polygon list or an RLE object");
        }
        return new CocoAnnotation(id, imageId, categoryId, -1, box, area, crowd, polygons, mask);
    }

    private static T Field<T>(JObject o, string name, string where)
    {
        var token = o[name];
        if (token is null || token.Type == JTokenType.Null) throw new FieldException($"{where}: missing field '{name}'");
        try
        {
            return token.ToObject<T>() ?? throw new FieldException($"{where}: field '{name}' is empty");
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidCastException or ArgumentException)
        {
            throw new FieldException($"{where}: field '{name}' has the wrong type ({token.Type})");
        }
    }

    private sealed class FieldException(string message) : Exception(message);
}

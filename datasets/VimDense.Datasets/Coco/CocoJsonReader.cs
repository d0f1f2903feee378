using System.Text.Json;
using static VimDense.Datasets.Coco.CocoJsonFields;

namespace VimDense.Datasets.Coco;

/// <summary>
/// The one COCO JSON parser: instances files (<see cref="ReadInstances"/>) and results files
/// (<see cref="ReadResults"/>) are read with <see cref="Utf8JsonReader"/> straight from the file's UTF-8 bytes, each
/// entry as written. What to keep, drop or reject is decided by the views: <see cref="CocoAnnotationFile"/>
/// (detectron2's training rules) and Evaluation's <c>CocoGroundTruth</c> / <c>CocoResults</c> (pycocotools'
/// rules). Errors name the file, the list entry and the field.
/// </summary>
public static class CocoJsonReader
{
    private delegate T EntryParser<out T>(ref Utf8JsonReader reader, CocoJsonPlace where);

    private static readonly JsonReaderOptions Options = new() { MaxDepth = 256 };

    /// <summary>
    /// Every image, category and annotation of an instances file, in file order. With
    /// <paramref name="includeSegmentation"/> false the masks are skipped (enough for boxes; much lighter on train2017).
    /// </summary>
    public static CocoDocument ReadInstances(string path, bool includeSegmentation = true)
    {
        var data = ReadBytes(path);
        var file = CocoJsonPlace.File(path);
        var images = new List<CocoImage>();
        var categories = new List<CocoCategory>();
        List<CocoAnnotation>? annotations = null;
        var r = new Utf8JsonReader(data, Options);
        try
        {
            Next(ref r, file);
            if (r.TokenType != JsonTokenType.StartObject)
                throw new InvalidDataException($"{path}: a COCO instances file must be a JSON object with 'images', 'annotations' and 'categories'");
            while (NextProperty(ref r, file))
            {
                if (r.ValueTextEquals("images"u8)) ReadList(ref r, path, "images", images, Image);
                else if (r.ValueTextEquals("categories"u8)) ReadList(ref r, path, "categories", categories, Category);
                else if (r.ValueTextEquals("annotations"u8))
                    ReadList(ref r, path, "annotations", annotations = [],
                        (ref Utf8JsonReader reader, CocoJsonPlace where) => Annotation(ref reader, where, includeSegmentation));
                else
                {
                    Next(ref r, file);
                    r.Skip();
                }
            }
        }
        catch (JsonException e)
        {
            throw TopLevelError(path, data, r.BytesConsumed, e);
        }
        return new CocoDocument(path, images, categories, annotations ?? [], annotations is not null);
    }

    /// <summary>The entries of a results file (a list of {image_id, category_id, score, bbox and/or segmentation}), as written.</summary>
    public static List<CocoAnnotation> ReadResults(string path)
    {
        var data = ReadBytes(path);
        var file = CocoJsonPlace.File(path);
        var results = new List<CocoAnnotation>();
        var r = new Utf8JsonReader(data, Options);
        try
        {
            Next(ref r, file);
            if (r.TokenType != JsonTokenType.StartArray)
                throw new InvalidDataException($"{path}: a COCO results file must be a list of detections, found {Describe(ref r)}");
            ReadEntries(ref r, path, CocoJsonPlace.Result, results, Result);
        }
        catch (JsonException e)
        {
            throw TopLevelError(path, data, r.BytesConsumed, e);
        }
        return results;
    }

    private static byte[] ReadBytes(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: COCO JSON file not found", path);
        var data = File.ReadAllBytes(path);
        // A UTF-8 byte order mark is legal in a file but not in JSON text.
        return data is [0xEF, 0xBB, 0xBF, ..] ? data[3..] : data;
    }

    private static void ReadList<T>(ref Utf8JsonReader r, string path, string name, List<T> into, EntryParser<T> parse)
    {
        Next(ref r, CocoJsonPlace.File(path));
        if (r.TokenType != JsonTokenType.StartArray)
            throw new InvalidDataException($"{path}: '{name}' must be a list, found {Describe(ref r)}");
        ReadEntries(ref r, path, name, into, parse);
    }

    private static void ReadEntries<T>(ref Utf8JsonReader r, string path, string name, List<T> into, EntryParser<T> parse)
    {
        while (true)
        {
            var where = new CocoJsonPlace(path, name, into.Count);
            Next(ref r, where);
            if (r.TokenType == JsonTokenType.EndArray) return;
            if (r.TokenType != JsonTokenType.StartObject) throw new InvalidDataException($"{where} must be an object, found {Describe(ref r)}");
            into.Add(parse(ref r, where));
        }
    }

    private static CocoImage Image(ref Utf8JsonReader r, CocoJsonPlace where)
    {
        long? id = null, height = null, width = null;
        var fileName = "";
        ReadOnlySpan<byte> field = default;
        try
        {
            while (NextProperty(ref r, where))
            {
                field = r.ValueSpan;
                if (r.ValueTextEquals("id"u8)) { Next(ref r, where); id = Integer(ref r, "id", where); }
                else if (r.ValueTextEquals("height"u8)) { Next(ref r, where); height = Integer(ref r, "height", where); }
                else if (r.ValueTextEquals("width"u8)) { Next(ref r, where); width = Integer(ref r, "width", where); }
                else if (r.ValueTextEquals("file_name"u8)) { Next(ref r, where); fileName = Text(ref r, "file_name", where); }
                else { Next(ref r, where); r.Skip(); }
            }
        }
        catch (JsonException e) { throw Malformed(where, field, e); }
        var h = Required(height, "height", where);
        var w = Required(width, "width", where);
        if (h <= 0 || w <= 0 || h > int.MaxValue || w > int.MaxValue)
            throw new InvalidDataException($"{where}: image size {h}x{w} is not positive");
        return new CocoImage(Required(id, "id", where), (int)h, (int)w, fileName);
    }

    private static CocoCategory Category(ref Utf8JsonReader r, CocoJsonPlace where)
    {
        long? id = null;
        var name = "";
        ReadOnlySpan<byte> field = default;
        try
        {
            while (NextProperty(ref r, where))
            {
                field = r.ValueSpan;
                if (r.ValueTextEquals("id"u8)) { Next(ref r, where); id = Integer(ref r, "id", where); }
                else if (r.ValueTextEquals("name"u8)) { Next(ref r, where); name = Text(ref r, "name", where); }
                else { Next(ref r, where); r.Skip(); }
            }
        }
        catch (JsonException e) { throw Malformed(where, field, e); }
        return new CocoCategory(Required(id, "id", where), name);
    }

    /// <summary>A ground-truth annotation; an absent "area" is NaN (the views decide whether that is allowed).</summary>
    private static CocoAnnotation Annotation(ref Utf8JsonReader r, CocoJsonPlace where, bool includeSegmentation)
    {
        long? id = null, imageId = null, categoryId = null;
        var a = new CocoAnnotation { Area = double.NaN };
        ReadOnlySpan<byte> field = default;
        try
        {
            while (NextProperty(ref r, where))
            {
                field = r.ValueSpan;
                if (r.ValueTextEquals("id"u8)) { Next(ref r, where); id = Integer(ref r, "id", where); }
                else if (r.ValueTextEquals("image_id"u8)) { Next(ref r, where); imageId = Integer(ref r, "image_id", where); }
                else if (r.ValueTextEquals("category_id"u8)) { Next(ref r, where); categoryId = Integer(ref r, "category_id", where); }
                else if (r.ValueTextEquals("bbox"u8)) { Next(ref r, where); a.Bbox = OptionalBox(ref r, where); }
                else if (r.ValueTextEquals("area"u8)) { Next(ref r, where); a.Area = Number(ref r, "area", where); }
                // pycocotools: ignore := iscrowd (a pre-existing "ignore" field is overwritten), missing -> 0.
                else if (r.ValueTextEquals("iscrowd"u8)) { Next(ref r, where); a.IsCrowd = Flag(ref r, "iscrowd", where); }
                else if (includeSegmentation && r.ValueTextEquals("segmentation"u8)) { Next(ref r, where); a.Segmentation = OptionalSegmentation(ref r, where); }
                else { Next(ref r, where); r.Skip(); }
            }
        }
        catch (JsonException e) { throw Malformed(where, field, e); }
        a.Id = Required(id, "id", where);
        a.ImageId = Required(imageId, "image_id", where);
        a.CategoryId = Required(categoryId, "category_id", where);
        return a;
    }

    /// <summary>A result entry: id, area and iscrowd in the file are ignored, as loadRes overwrites them.</summary>
    private static CocoAnnotation Result(ref Utf8JsonReader r, CocoJsonPlace where)
    {
        long? imageId = null, categoryId = null;
        double? score = null;
        var a = new CocoAnnotation();
        ReadOnlySpan<byte> field = default;
        try
        {
            while (NextProperty(ref r, where))
            {
                field = r.ValueSpan;
                if (r.ValueTextEquals("image_id"u8)) { Next(ref r, where); imageId = Integer(ref r, "image_id", where); }
                else if (r.ValueTextEquals("category_id"u8)) { Next(ref r, where); categoryId = Integer(ref r, "category_id", where); }
                else if (r.ValueTextEquals("score"u8)) { Next(ref r, where); score = Number(ref r, "score", where); }
                else if (r.ValueTextEquals("bbox"u8)) { Next(ref r, where); a.Bbox = OptionalBox(ref r, where); }
                else if (r.ValueTextEquals("segmentation"u8)) { Next(ref r, where); a.Segmentation = OptionalSegmentation(ref r, where); }
                else { Next(ref r, where); r.Skip(); }
            }
        }
        catch (JsonException e) { throw Malformed(where, field, e); }
        a.ImageId = Required(imageId, "image_id", where);
        a.CategoryId = Required(categoryId, "category_id", where);
        a.Score = Required(score, "score", where);
        if (a.Segmentation is { Polygons.Count: 0 }) throw new InvalidDataException($"{where}: field 'segmentation' is an empty polygon list");
        return a;
    }

    private static T Required<T>(T? value, string field, CocoJsonPlace where) where T : struct =>
        value ?? throw new InvalidDataException($"{where}: missing field '{field}'");

    private static InvalidDataException TopLevelError(string path, byte[] data, long consumed, JsonException e)
    {
        var rest = data.AsSpan((int)Math.Min(consumed, data.Length));
        return rest.Trim(" \t\r\n"u8).IsEmpty
            ? new InvalidDataException($"{path}: unexpected end of JSON (a list or object is not closed)", e)
            : new InvalidDataException($"{path}: invalid JSON: {e.Message}", e);
    }
}

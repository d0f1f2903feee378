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
                if (r.ValueTextEquals("images"u8)) ReadList(ref r, path, "images", images, new CocoJsonEntries.Image());
                else if (r.ValueTextEquals("categories"u8)) ReadList(ref r, path, "categories", categories, new CocoJsonEntries.Category());
                else if (r.ValueTextEquals("annotations"u8))
                    ReadList(ref r, path, "annotations", annotations = [], new CocoJsonEntries.Annotation(includeSegmentation));
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
            ReadEntries(ref r, path, CocoJsonPlace.Result, results, new CocoJsonEntries.Result());
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

    private static void ReadList<T, TEntry>(ref Utf8JsonReader r, string path, string name, List<T> into, TEntry empty)
        where TEntry : struct, ICocoJsonEntry<T>
    {
        Next(ref r, CocoJsonPlace.File(path));
        if (r.TokenType != JsonTokenType.StartArray)
            throw new InvalidDataException($"{path}: '{name}' must be a list, found {Describe(ref r)}");
        ReadEntries<T, TEntry>(ref r, path, name, into, empty);
    }

    /// <summary>The objects of the list the reader is in, each read into a copy of <paramref name="empty"/> and built.</summary>
    private static void ReadEntries<T, TEntry>(ref Utf8JsonReader r, string path, string name, List<T> into, TEntry empty)
        where TEntry : struct, ICocoJsonEntry<T>
    {
        while (true)
        {
            var where = new CocoJsonPlace(path, name, into.Count);
            Next(ref r, where);
            if (r.TokenType == JsonTokenType.EndArray) return;
            if (r.TokenType != JsonTokenType.StartObject) throw new InvalidDataException($"{where} must be an object, found {Describe(ref r)}");
            var entry = empty;
            ReadOnlySpan<byte> field = default;
            try
            {
                while (NextProperty(ref r, where))
                {
                    field = r.ValueSpan;
                    if (entry.Read(ref r, where)) continue;
                    Next(ref r, where);
                    r.Skip();
                }
            }
            catch (JsonException e)
            {
                throw Malformed(where, field, e);
            }
            into.Add(entry.Build(where));
        }
    }

    private static InvalidDataException TopLevelError(string path, byte[] data, long consumed, JsonException e)
    {
        var rest = data.AsSpan((int)Math.Min(consumed, data.Length));
        return rest.Trim(" \t\r\n"u8).IsEmpty
            ? new InvalidDataException($"{path}: unexpected end of JSON (a list or object is not closed)", e)
            : new InvalidDataException($"{path}: invalid JSON: {e.Message}", e);
    }
}

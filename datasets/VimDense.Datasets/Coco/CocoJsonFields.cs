using System.Text;
using System.Text.Json;
using VimDense.Datasets.Masks;

namespace VimDense.Datasets.Coco;

/// <summary>
/// Value-level reading of COCO JSON with System.Text.Json's <see cref="Utf8JsonReader"/>, straight from the UTF-8
/// bytes: no DOM, no strings for numbers or property names. Every error is an <see cref="InvalidDataException"/>
/// that starts with <c>where</c> (the file and the list entry) and names the field.
/// </summary>
internal static class CocoJsonFields
{
    public static void Next(ref Utf8JsonReader r, CocoJsonPlace where)
    {
        if (!r.Read()) throw new InvalidDataException($"{where}: unexpected end of JSON");
    }

    /// <summary>Moves to the next property of the object being read (false at its end); the reader is left on the name.</summary>
    public static bool NextProperty(ref Utf8JsonReader r, CocoJsonPlace where)
    {
        Next(ref r, where);
        return r.TokenType == JsonTokenType.PropertyName;
    }

    /// <summary>An integer; integral floats (1.0) are accepted as Python's json would hand them to pycocotools.</summary>
    public static long Integer(ref Utf8JsonReader r, string field, CocoJsonPlace where)
    {
        if (r.TokenType == JsonTokenType.Number)
        {
            if (r.TryGetInt64(out var value)) return value;
            if (r.TryGetDouble(out var d) && d == Math.Floor(d) && Math.Abs(d) < 9e18) return (long)d;
        }
        throw new InvalidDataException($"{where}: field '{field}' must be an integer, found {Describe(ref r)}");
    }

    public static double Number(ref Utf8JsonReader r, string field, CocoJsonPlace where) =>
        r.TokenType == JsonTokenType.Number && r.TryGetDouble(out var value)
            ? value
            : throw new InvalidDataException($"{where}: field '{field}' must be a number, found {Describe(ref r)}");

    public static string Text(ref Utf8JsonReader r, string field, CocoJsonPlace where) =>
        r.TokenType == JsonTokenType.String
            ? r.GetString()!
            : throw new InvalidDataException($"{where}: field '{field}' must be a string, found {Describe(ref r)}");

    /// <summary>COCO's iscrowd: a number (non-zero = crowd) or a boolean; null counts as 0.</summary>
    public static bool Flag(ref Utf8JsonReader r, string field, CocoJsonPlace where) => r.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False or JsonTokenType.Null => false,
        JsonTokenType.Number => Number(ref r, field, where) != 0,
        _ => throw new InvalidDataException($"{where}: field '{field}' must be 0/1 or a boolean, found {Describe(ref r)}"),
    };

    /// <summary>A [x, y, w, h] box of finite numbers; null for JSON null or an empty list (as loadRes treats []).</summary>
    public static double[]? OptionalBox(ref Utf8JsonReader r, CocoJsonPlace where)
    {
        if (r.TokenType == JsonTokenType.Null) return null;
        if (r.TokenType != JsonTokenType.StartArray) throw new InvalidDataException($"{where}: field 'bbox' must be a list of 4 numbers [x, y, w, h], found {Describe(ref r)}");
        var box = new double[4];
        var n = 0;
        while (true)
        {
            Next(ref r, where);
            if (r.TokenType == JsonTokenType.EndArray) break;
            var value = Number(ref r, "bbox", where);
            if (!double.IsFinite(value)) throw new InvalidDataException($"{where}: field 'bbox' holds a non-finite number");
            if (n < 4) box[n] = value;
            n++;
        }
        if (n == 0) return null;
        return n == 4 ? box : throw new InvalidDataException($"{where}: field 'bbox' must be a list of 4 numbers [x, y, w, h], found {n}");
    }

    /// <summary>
    /// A COCO "segmentation" as written: a polygon list (every polygon kept, even short, odd or none: the views
    /// decide) or {"size": [h, w], "counts": compressed string | run lengths}, checked and decoded; null for null.
    /// </summary>
    public static CocoSegmentation? OptionalSegmentation(ref Utf8JsonReader r, CocoJsonPlace where)
    {
        switch (r.TokenType)
        {
            case JsonTokenType.Null: return null;
            case JsonTokenType.StartArray: return CocoSegmentation.FromPolygons(Polygons(ref r, where));
            case JsonTokenType.StartObject: return CocoSegmentation.FromRle(RleObject(ref r, where));
            default: throw new InvalidDataException($"{where}: field 'segmentation' must be a polygon list or an RLE object");
        }
    }

    private static List<double[]> Polygons(ref Utf8JsonReader r, CocoJsonPlace where)
    {
        var polygons = new List<double[]>();
        var xy = new List<double>();
        while (true)
        {
            Next(ref r, where);
            if (r.TokenType == JsonTokenType.EndArray) return polygons;
            if (r.TokenType != JsonTokenType.StartArray)
                throw new InvalidDataException($"{where}: field 'segmentation' must be a list of polygons (lists of numbers) or an RLE object");
            xy.Clear();
            while (true)
            {
                Next(ref r, where);
                if (r.TokenType == JsonTokenType.EndArray) break;
                var value = Number(ref r, "segmentation", where);
                if (!double.IsFinite(value)) throw new InvalidDataException($"{where}: field 'segmentation' holds a non-finite coordinate");
                xy.Add(value);
            }
            polygons.Add(xy.ToArray());
        }
    }

    private static Rle RleObject(ref Utf8JsonReader r, CocoJsonPlace where)
    {
        int height = -1, width = -1;
        string? compressed = null;
        List<long>? runs = null;
        string? countsError = "counts must be a string or a list of integers";
        while (NextProperty(ref r, where))
        {
            if (r.ValueTextEquals("size"u8))
            {
                Next(ref r, where);
                (height, width) = Size(ref r, where);
            }
            else if (r.ValueTextEquals("counts"u8))
            {
                Next(ref r, where);
                countsError = null;
                if (r.TokenType == JsonTokenType.String) compressed = r.GetString();
                else if (r.TokenType == JsonTokenType.StartArray)
                {
                    runs = [];
                    while (true)
                    {
                        Next(ref r, where);
                        if (r.TokenType == JsonTokenType.EndArray) break;
                        if (r.TokenType == JsonTokenType.Number && r.TryGetInt64(out var run)) runs.Add(run);
                        else countsError ??= "counts must be integers";
                    }
                }
                else
                {
                    countsError = "counts must be a string or a list of integers";
                    r.Skip();
                }
            }
            else
            {
                Next(ref r, where);
                r.Skip();
            }
        }
        if (height < 0) throw new InvalidDataException($"{where}: field 'segmentation.size' must be [height, width]");
        try
        {
            if (countsError is not null) throw new InvalidDataException(countsError);
            return compressed is not null ? RleCodec.FromCompressedString(compressed, height, width) : RleCodec.FromUncompressed(runs!, height, width);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{where}: field 'segmentation.counts': {e.Message}", e);
        }
    }

    private static (int Height, int Width) Size(ref Utf8JsonReader r, CocoJsonPlace where)
    {
        var bad = new InvalidDataException($"{where}: field 'segmentation.size' must be [height, width]");
        if (r.TokenType != JsonTokenType.StartArray) throw bad;
        Span<long> size = stackalloc long[2];
        var n = 0;
        while (true)
        {
            Next(ref r, where);
            if (r.TokenType == JsonTokenType.EndArray) break;
            if (n >= 2 || r.TokenType != JsonTokenType.Number || !r.TryGetInt64(out size[n])) throw bad;
            n++;
        }
        if (n != 2) throw bad;
        if (size[0] < 0 || size[1] < 0 || size[0] > int.MaxValue || size[1] > int.MaxValue)
            throw new InvalidDataException($"{where}: field 'segmentation.size' must be non-negative");
        return ((int)size[0], (int)size[1]);
    }

    /// <summary>The JSON token under the reader, for messages: its type and, for scalars, its text.</summary>
    public static string Describe(ref Utf8JsonReader r) => r.TokenType switch
    {
        JsonTokenType.String or JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null =>
            $"{r.TokenType} {Encoding.UTF8.GetString(r.ValueSpan)}",
        _ => r.TokenType.ToString(),
    };

    /// <summary>A syntax error of the file (the reader's message gives line and byte), with the field it happened in.</summary>
    public static InvalidDataException Malformed(CocoJsonPlace where, ReadOnlySpan<byte> field, JsonException e)
    {
        var inField = field.IsEmpty ? "" : $" in field '{Encoding.UTF8.GetString(field)}'";
        return new InvalidDataException($"{where}: invalid JSON{inField}: {e.Message}", e);
    }
}

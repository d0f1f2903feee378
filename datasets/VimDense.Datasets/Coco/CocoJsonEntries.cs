using System.Text.Json;
using static VimDense.Datasets.Coco.CocoJsonFields;

namespace VimDense.Datasets.Coco;

/// <summary>The entries of COCO files as <see cref="CocoJsonReader"/> reads them: the fields each one knows.</summary>
internal static class CocoJsonEntries
{
    public struct Image : ICocoJsonEntry<CocoImage>
    {
        private long? _id, _height, _width;
        private string? _fileName;

        public bool Read(ref Utf8JsonReader r, CocoJsonPlace where)
        {
            if (At(ref r, "id"u8, where)) _id = Integer(ref r, "id", where);
            else if (At(ref r, "height"u8, where)) _height = Integer(ref r, "height", where);
            else if (At(ref r, "width"u8, where)) _width = Integer(ref r, "width", where);
            else if (At(ref r, "file_name"u8, where)) _fileName = Text(ref r, "file_name", where);
            else return false;
            return true;
        }

        public readonly CocoImage Build(CocoJsonPlace where)
        {
            var h = Required(_height, "height", where);
            var w = Required(_width, "width", where);
            if (h <= 0 || w <= 0 || h > int.MaxValue || w > int.MaxValue)
                throw new InvalidDataException($"{where}: image size {h}x{w} is not positive");
            return new CocoImage(Required(_id, "id", where), (int)h, (int)w, _fileName ?? "");
        }
    }

    public struct Category : ICocoJsonEntry<CocoCategory>
    {
        private long? _id;
        private string? _name;

        public bool Read(ref Utf8JsonReader r, CocoJsonPlace where)
        {
            if (At(ref r, "id"u8, where)) _id = Integer(ref r, "id", where);
            else if (At(ref r, "name"u8, where)) _name = Text(ref r, "name", where);
            else return false;
            return true;
        }

        public readonly CocoCategory Build(CocoJsonPlace where) => new(Required(_id, "id", where), _name ?? "");
    }

    /// <summary>A ground-truth annotation; an absent "area" is NaN (the views decide whether that is allowed).</summary>
    public struct Annotation(bool includeSegmentation) : ICocoJsonEntry<CocoAnnotation>
    {
        private Shared _shared;
        private long? _id;
        private double? _area;
        private bool _crowd;

        public bool Read(ref Utf8JsonReader r, CocoJsonPlace where)
        {
            if (_shared.Read(ref r, where, includeSegmentation)) return true;
            if (At(ref r, "id"u8, where)) _id = Integer(ref r, "id", where);
            else if (At(ref r, "area"u8, where)) _area = Number(ref r, "area", where);
            // pycocotools: ignore := iscrowd (a pre-existing "ignore" field is overwritten), missing -> 0.
            else if (At(ref r, "iscrowd"u8, where)) _crowd = Flag(ref r, "iscrowd", where);
            else return false;
            return true;
        }

        public readonly CocoAnnotation Build(CocoJsonPlace where)
        {
            var a = _shared.Build(where);
            a.Id = Required(_id, "id", where);
            a.Area = _area ?? double.NaN;
            a.IsCrowd = _crowd;
            return a;
        }
    }

    /// <summary>A result entry: id, area and iscrowd in the file are not read, as loadRes overwrites them.</summary>
    public struct Result : ICocoJsonEntry<CocoAnnotation>
    {
        private Shared _shared;
        private double? _score;

        public bool Read(ref Utf8JsonReader r, CocoJsonPlace where)
        {
            if (_shared.Read(ref r, where, includeSegmentation: true)) return true;
            if (!At(ref r, "score"u8, where)) return false;
            _score = Number(ref r, "score", where);
            return true;
        }

        public readonly CocoAnnotation Build(CocoJsonPlace where)
        {
            var a = _shared.Build(where);
            if (a.Segmentation is { Polygons.Count: 0 }) throw new InvalidDataException($"{where}: field 'segmentation' is an empty polygon list");
            a.Score = Required(_score, "score", where);
            return a;
        }
    }

    /// <summary>The fields annotations and results have in common: the image, the category, the box and the mask.</summary>
    private struct Shared
    {
        private long? _imageId, _categoryId;
        private double[]? _box;
        private CocoSegmentation? _segmentation;

        public bool Read(ref Utf8JsonReader r, CocoJsonPlace where, bool includeSegmentation)
        {
            if (At(ref r, "image_id"u8, where)) _imageId = Integer(ref r, "image_id", where);
            else if (At(ref r, "category_id"u8, where)) _categoryId = Integer(ref r, "category_id", where);
            else if (At(ref r, "bbox"u8, where)) _box = OptionalBox(ref r, where);
            else if (includeSegmentation && At(ref r, "segmentation"u8, where)) _segmentation = OptionalSegmentation(ref r, where);
            else return false;
            return true;
        }

        public readonly CocoAnnotation Build(CocoJsonPlace where) => new()
        {
            ImageId = Required(_imageId, "image_id", where),
            CategoryId = Required(_categoryId, "category_id", where),
            Bbox = _box,
            Segmentation = _segmentation,
        };
    }

    /// <summary>Whether the reader is on property <paramref name="name"/>; if so it moves on to the value.</summary>
    private static bool At(ref Utf8JsonReader r, ReadOnlySpan<byte> name, CocoJsonPlace where)
    {
        if (!r.ValueTextEquals(name)) return false;
        Next(ref r, where);
        return true;
    }

    private static T Required<T>(T? value, string field, CocoJsonPlace where) where T : struct =>
        value ?? throw new InvalidDataException($"{where}: missing field '{field}'");
}

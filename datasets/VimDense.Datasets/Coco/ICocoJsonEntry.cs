using System.Text.Json;

namespace VimDense.Datasets.Coco;

/// <summary>
/// The fields of one kind of COCO list entry (image, category, annotation, result), gathered property by property
/// while <see cref="CocoJsonReader"/> walks the entry's object, then built into its record. Implemented by structs,
/// so reading an entry allocates nothing but the record.
/// </summary>
internal interface ICocoJsonEntry<out T>
{
    /// <summary>
    /// With the reader on a property name: reads its value and returns true when it is one of this entry's fields,
    /// else returns false without moving (the caller skips the value).
    /// </summary>
    bool Read(ref Utf8JsonReader r, CocoJsonPlace where);

    /// <summary>The record, once the entry's object has ended; missing required fields are errors.</summary>
    T Build(CocoJsonPlace where);
}

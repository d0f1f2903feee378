using Newtonsoft.Json;

namespace VimDense.Config;

/// <summary>
/// Reads a count that may be left to the data: a JSON integer, or "auto" / null (→ null, resolved later by whoever
/// knows the data, e.g. model.num_classes by the experiment from the data set's class list). Writes null as "auto".
/// </summary>
internal sealed class AutoCountConverter : JsonConverter<int?>
{
    public override int? ReadJson(JsonReader reader, Type objectType, int? existingValue, bool hasExistingValue, JsonSerializer serializer) =>
        reader.TokenType switch
        {
            JsonToken.Null => null,
            JsonToken.String when (string?)reader.Value == "auto" => null,
            JsonToken.Integer => Convert.ToInt32(reader.Value, System.Globalization.CultureInfo.InvariantCulture),
            _ => throw new JsonSerializationException($"expected an integer or \"auto\", got {reader.TokenType} '{reader.Value}'", reader.Path, 0, 0, null),
        };

    public override void WriteJson(JsonWriter writer, int? value, JsonSerializer serializer)
    {
        if (value is { } n) writer.WriteValue(n);
        else writer.WriteValue("auto");
    }
}

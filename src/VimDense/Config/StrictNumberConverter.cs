using System.Globalization;
using System.Numerics;
using Newtonsoft.Json;

namespace VimDense.Config;

/// <summary>
/// Binds config numbers by their JSON type, as the config's author wrote them: an integer field takes only a JSON
/// integer in its range (8.5, 8.0 and "4" are errors, not 8 and 4), a floating-point field a JSON number (not a
/// string). Newtonsoft's default would round 8.5 and parse "4".
/// </summary>
internal sealed class StrictNumberConverter : JsonConverter
{
    private static readonly Type[] Integers = [typeof(int), typeof(long), typeof(short), typeof(byte), typeof(uint), typeof(ulong)];
    private static readonly Type[] Floats = [typeof(double), typeof(float)];

    public override bool CanWrite => false;

    public override bool CanConvert(Type objectType)
    {
        var type = Nullable.GetUnderlyingType(objectType) ?? objectType;
        return Integers.Contains(type) || Floats.Contains(type);
    }

    public override object? ReadJson(JsonReader reader, Type objectType, object? existingValue, JsonSerializer serializer)
    {
        var nullable = Nullable.GetUnderlyingType(objectType);
        var type = nullable ?? objectType;
        var path = reader.Path;
        if (reader.TokenType == JsonToken.Null && nullable is not null) return null;
        var isInteger = Integers.Contains(type);
        var expected = isInteger ? "an integer" : "a number";
        if (reader.TokenType == JsonToken.Integer)
        {
            var big = reader.Value is BigInteger b ? b : new BigInteger(Convert.ToInt64(reader.Value, CultureInfo.InvariantCulture));
            if (!isInteger) return Convert.ChangeType((double)big, type, CultureInfo.InvariantCulture);
            try { return Convert.ChangeType(big.ToString(CultureInfo.InvariantCulture), type, CultureInfo.InvariantCulture); }
            catch (OverflowException) { throw Error($"expected {expected} that fits a {type.Name}, found {big}", path); }
        }
        if (reader.TokenType == JsonToken.Float && !isInteger)
            return Convert.ChangeType(reader.Value, type, CultureInfo.InvariantCulture);
        throw Error($"expected {expected}, found {Describe(reader)}", path);
    }

    public override void WriteJson(JsonWriter writer, object? value, JsonSerializer serializer) => throw new NotSupportedException();

    private static string Describe(JsonReader reader) => reader.TokenType switch
    {
        JsonToken.String => $"the string \"{reader.Value}\"",
        JsonToken.Float => Convert.ToString(reader.Value, CultureInfo.InvariantCulture) is { } f && !f.Contains('.') && !f.Contains('E') ? f + ".0" : Convert.ToString(reader.Value, CultureInfo.InvariantCulture)!,
        JsonToken.Null => "null",
        JsonToken.Boolean => reader.Value is true ? "true" : "false",
        JsonToken.StartArray => "a list",
        JsonToken.StartObject => "an object",
        var other => other.ToString(),
    };

    private static JsonSerializationException Error(string message, string path)
    {
        return new JsonSerializationException(message, path, 0, 0, null);
    }
}

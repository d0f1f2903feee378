using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace VimDense.Config;

/// <summary>Reads and writes a 2-tuple option ((long, short) scales, (min, max) ranges) as a JSON array [a, b].</summary>
internal sealed class PairConverter : JsonConverter
{
    public override bool CanConvert(Type objectType) => objectType.IsGenericType && objectType.GetGenericTypeDefinition() == typeof(ValueTuple<,>);

    public override object ReadJson(JsonReader reader, Type objectType, object? existingValue, JsonSerializer serializer)
    {
        var path = reader.Path;
        if (JToken.Load(reader) is not JArray { Count: 2 } pair)
            throw new JsonSerializationException("expected an array of two values [a, b]", path, 0, 0, null);
        var types = objectType.GetGenericArguments();
        return Activator.CreateInstance(objectType, pair[0].ToObject(types[0], serializer), pair[1].ToObject(types[1], serializer))!;
    }

    public override void WriteJson(JsonWriter writer, object? value, JsonSerializer serializer)
    {
        var tuple = (System.Runtime.CompilerServices.ITuple)value!;
        serializer.Serialize(writer, new[] { tuple[0], tuple[1] });
    }
}

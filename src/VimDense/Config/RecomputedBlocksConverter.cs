using Newtonsoft.Json;
using VimDense.Backbones;

namespace VimDense.Config;

/// <summary>Reads model.backbone.checkpoint_layers: true (all blocks), false (none) or a non-negative integer (the first N); writes it back the same way.</summary>
internal sealed class RecomputedBlocksConverter : JsonConverter<RecomputedBlocks>
{
    public override RecomputedBlocks ReadJson(JsonReader reader, Type objectType, RecomputedBlocks existingValue, bool hasExistingValue, JsonSerializer serializer) =>
        reader.TokenType switch
        {
            JsonToken.Boolean => (bool)reader.Value! ? RecomputedBlocks.All : RecomputedBlocks.None,
            JsonToken.Integer when Convert.ToInt64(reader.Value, System.Globalization.CultureInfo.InvariantCulture) is var n && n >= 0 =>
                new RecomputedBlocks((int)Math.Min(n, int.MaxValue)),
            _ => throw new JsonSerializationException($"expected true, false or a block count >= 0, got {reader.TokenType} '{reader.Value}'", reader.Path, 0, 0, null),
        };

    public override void WriteJson(JsonWriter writer, RecomputedBlocks value, JsonSerializer serializer)
    {
        if (value.IsAll || !value.Any) writer.WriteValue(value.IsAll);
        else writer.WriteValue(value.Count);
    }
}

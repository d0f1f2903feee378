using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace VimDense.Config;

/// <summary>
/// One object of a config as given (e.g. <c>model.decode_head</c>), kept as JSON with the origin of each key until
/// the component it describes binds it into its own options record (<see cref="Bind{T}"/>, usually through a
/// <see cref="ComponentRegistry{TContext, TResult}"/> chosen by its <c>type</c> key). Core does not know the options
/// of heads or data sets: they live beside those components.
/// </summary>
public sealed class ConfigSection
{
    private readonly JObject json;

    public ConfigSection(string path, JObject json, ConfigOrigins? origins = null)
    {
        Path = path;
        this.json = (JObject)json.DeepClone();
        Origins = origins ?? ConfigOrigins.Single("code");
    }

    /// <summary>Where the section sits in the config ("model.neck").</summary>
    public string Path { get; }

    public ConfigOrigins Origins { get; }

    /// <summary>The component type named by the "type" key, or null.</summary>
    public string? Type => json["type"] is JValue { Type: JTokenType.String } value ? (string?)value : null;

    /// <summary>A copy of the section's JSON.</summary>
    public JObject Json => (JObject)json.DeepClone();

    /// <summary>A section parsed from JSON text (defaults given in code).</summary>
    public static ConfigSection Parse(string path, string jsonText) => new(path, JObject.Parse(jsonText), ConfigOrigins.Single("defaults"));

    /// <summary>A section of component <paramref name="type"/> with typed <paramref name="options"/> (for configs built in code).</summary>
    public static ConfigSection Of(string type, object? options = null, string? path = null)
    {
        var json = options is null ? new JObject() : ConfigBinding.ToJson(options);
        json.AddFirst(new JProperty("type", type));
        return new ConfigSection(path ?? type, json, ConfigOrigins.Single("code"));
    }

    /// <summary>
    /// This section, or where it names no "type", a copy naming <paramref name="type"/>: a config section that leaves
    /// out the type means the component its key defaults to.
    /// </summary>
    public ConfigSection WithDefaultType(string type)
    {
        if (json.ContainsKey("type")) return this;
        var typed = new JObject(json.Properties()) { ["type"] = type };
        return new ConfigSection(Path, typed, Origins);
    }

    /// <summary>Binds the section (except the keys in <paramref name="skipKeys"/>) into <typeparamref name="T"/>; unknown keys are errors.</summary>
    public T Bind<T>(params string[] skipKeys) => ConfigBinding.Bind<T>(json, Path, Origins, skipKeys);

    /// <summary>Where the "type" key (or the section) came from, for messages.</summary>
    public string DescribeOrigin(string key = "type") => Origins.Describe(json.ContainsKey(key) ? $"{Path}.{key}" : Path);

    /// <summary>Reads a section as raw JSON with its path; its keys' origins are those of the config being bound.</summary>
    internal sealed class Converter(ConfigOrigins origins) : JsonConverter<ConfigSection>
    {
        public override ConfigSection ReadJson(JsonReader reader, Type objectType, ConfigSection? existingValue, bool hasExistingValue, JsonSerializer serializer)
        {
            var path = reader.Path;
            if (reader.TokenType != JsonToken.StartObject) throw new JsonSerializationException($"expected an object, found {reader.TokenType.ToString().ToLowerInvariant()}", path, 0, 0, null);
            return new ConfigSection(path, JObject.Load(reader), origins);
        }

        public override void WriteJson(JsonWriter writer, ConfigSection? value, JsonSerializer serializer) =>
            (value?.json ?? new JObject()).WriteTo(writer);
    }
}

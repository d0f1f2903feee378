using System.Globalization;
using Newtonsoft.Json;
using Newtonsoft.Json.Converters;
using Newtonsoft.Json.Linq;
using Newtonsoft.Json.Serialization;

namespace VimDense.Config;

/// <summary>
/// The one JSON binding of configs: snake_case keys, enums as snake_case strings ("residual_norm"), unknown keys
/// are errors naming the key and its origin (a file or a --set assignment), except keys inherited from a component
/// that the config replaced by naming another type (see <see cref="ConfigOrigins"/>), which are dropped. Numbers bind
/// by their JSON type (<see cref="StrictNumberConverter"/>: 8.5 and "4" are not integers) and every bound record is
/// checked against its fields' rules (<see cref="ConfigValidation"/>), each error naming the key and its origin.
/// </summary>
public static class ConfigBinding
{
    private static readonly DefaultContractResolver Resolver = new() { NamingStrategy = new SnakeCaseNamingStrategy() };

    /// <summary>Settings for binding (with <paramref name="origins"/> for nested <see cref="ConfigSection"/>s) and for writing configs.</summary>
    public static JsonSerializerSettings Settings(ConfigOrigins? origins = null) => new()
    {
        ContractResolver = Resolver,
        MissingMemberHandling = MissingMemberHandling.Error,
        ObjectCreationHandling = ObjectCreationHandling.Replace,
        Culture = CultureInfo.InvariantCulture,
        Converters =
        [
            new StringEnumConverter { NamingStrategy = new SnakeCaseNamingStrategy(), AllowIntegerValues = false },
            new ConfigSection.Converter(origins ?? ConfigOrigins.Single("code")),
            new PairConverter(),
            new StrictNumberConverter(),
        ],
    };

    /// <summary>The snake_case key of a property name (ImgSize → img_size).</summary>
    public static string KeyOf(string propertyName) => new SnakeCaseNamingStrategy().GetPropertyName(propertyName, false);

    /// <summary>The keys <typeparamref name="T"/> binds (for splitting one section between two records).</summary>
    public static string[] KeysOf<T>() => KeysOf(typeof(T));

    private static string[] KeysOf(Type type) =>
        Resolver.ResolveContract(type) is JsonObjectContract contract ? [.. contract.Properties.Where(p => p.Writable && !p.Ignored).Select(p => p.PropertyName!)] : [];

    /// <summary>
    /// Binds <paramref name="json"/>, found at <paramref name="path"/> of the config, into a new <typeparamref name="T"/>
    /// whose property initialisers hold the defaults; <paramref name="skipKeys"/> (a component's "type") are not bound.
    /// </summary>
    public static T Bind<T>(JObject json, string path, ConfigOrigins origins, params string[] skipKeys)
    {
        var working = (JObject)json.DeepClone();
        foreach (var key in skipKeys) working.Remove(key);
        var serializer = JsonSerializer.Create(Settings(origins));
        while (true)
        {
            try
            {
                var bound = working.ToObject<T>(serializer) ?? throw new UserInputException($"{Describe(path)}: empty section");
                ConfigValidation.Check(bound, path, origins);
                return bound;
            }
            catch (JsonSerializationException e) when (e.Message.StartsWith("Could not find member", StringComparison.Ordinal))
            {
                var key = Join(path, e.Path ?? "");
                if (!origins.IsInheritedFromReplacedComponent(key) || working.SelectToken(e.Path!)?.Parent is not JProperty inherited)
                    throw new UserInputException($"unknown key '{key}' (from {origins.Describe(key)}){KnownKeys(typeof(T), e.Path, skipKeys)}");
                inherited.Remove();
            }
            catch (JsonException e)
            {
                var at = Join(path, (e as JsonSerializationException)?.Path ?? "");
                throw new UserInputException($"{Describe(at)} (from {origins.Describe(at)}): bad value: {FirstSentence(e.Message)}");
            }
        }
    }

    /// <summary>The options written back as JSON (every field, defaults included), for logs and checkpoints.</summary>
    public static JObject ToJson(object options) => JObject.FromObject(options, JsonSerializer.Create(Settings()));

    /// <summary>
    /// The keys the record holding the unknown key at <paramref name="relativePath"/> may hold (those of its type, and at
    /// the top those bound elsewhere: <paramref name="skipKeys"/>), with the closest one as "did you mean".
    /// </summary>
    private static string KnownKeys(Type type, string? relativePath, string[] skipKeys)
    {
        if (relativePath is null || relativePath.Contains('[')) return "";
        var segments = relativePath.Split('.');
        foreach (var segment in segments[..^1])
        {
            var property = (Resolver.ResolveContract(type) as JsonObjectContract)?.Properties.GetClosestMatchProperty(segment);
            if (property?.PropertyType is null) return "";
            type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        }
        if (Resolver.ResolveContract(type) is not JsonObjectContract) return "";
        var keys = KeysOf(type).Concat(segments.Length == 1 ? skipKeys : []).Distinct().Order().ToList();
        return $" for {type.Name}; expected one of {string.Join(", ", keys)}{DidYouMean.Suffix(segments[^1], keys)}";
    }

    private static string Join(string path, string relative) => path.Length == 0 ? relative : relative.Length == 0 ? path : $"{path}.{relative}";

    private static string Describe(string path) => path.Length == 0 ? "config" : path;

    private static string FirstSentence(string message)
    {
        var text = message.ReplaceLineEndings(" ");
        var pathAt = text.IndexOf(" Path '", StringComparison.Ordinal);
        return pathAt > 0 ? text[..pathAt] : text;
    }
}

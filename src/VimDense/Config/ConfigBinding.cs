using System.Globalization;
using Newtonsoft.Json;
using Newtonsoft.Json.Converters;
using Newtonsoft.Json.Linq;
using Newtonsoft.Json.Serialization;

namespace VimDense.Config;

/// <summary>
/// The one JSON binding of configs: snake_case keys, enums as snake_case strings ("residual_norm"), unknown keys
/// are errors naming the key and its origin (a file or a --set assignment), except keys inherited from a component
/// that the config replaced by naming another type (see <see cref="ConfigOrigins"/>), which are dropped.
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
        ],
    };

    /// <summary>The snake_case key of a property name (ImgSize → img_size).</summary>
    public static string KeyOf(string propertyName) => new SnakeCaseNamingStrategy().GetPropertyName(propertyName, false);

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
                return working.ToObject<T>(serializer) ?? throw new UserInputException($"{Describe(path)}: empty section");
            }
            catch (JsonSerializationException e) when (e.Message.StartsWith("Could not find member", StringComparison.Ordinal))
            {
                var key = Join(path, e.Path ?? "");
                if (!origins.IsInheritedFromReplacedComponent(key) || working.SelectToken(e.Path!)?.Parent is not JProperty inherited)
                    throw new UserInputException($"unknown key '{key}' (from {origins.Describe(key)}){KnownKeys(typeof(T), e.Path)}");
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

    private static string KnownKeys(Type type, string? relativePath)
    {
        if (relativePath is null || relativePath.Contains('.') || Resolver.ResolveContract(type) is not JsonObjectContract contract) return "";
        return $" for {type.Name}; expected one of {string.Join(", ", contract.Properties.Where(p => p.Writable).Select(p => p.PropertyName).Order())}";
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

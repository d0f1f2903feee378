using System.Globalization;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Newtonsoft.Json.Serialization;

namespace VimDense.Config;

/// <summary>
/// Reads experiment configs: JSON with snake_case keys, an optional "base" key naming another config (relative
/// to this file) whose values this one overrides, then command-line overrides "a.b=c" (c parsed as JSON when it
/// is valid JSON, else taken as a string). Unknown keys are errors naming the key and the file.
/// </summary>
public static class ConfigLoader
{
    private static readonly JsonSerializerSettings Settings = new()
    {
        ContractResolver = new DefaultContractResolver { NamingStrategy = new SnakeCaseNamingStrategy() },
        MissingMemberHandling = MissingMemberHandling.Error,
        ObjectCreationHandling = ObjectCreationHandling.Replace,
        Culture = CultureInfo.InvariantCulture,
    };

    public static ExperimentConfig Load(string path, IEnumerable<string>? overrides = null) => Bind(LoadJson(path, overrides), path);

    /// <summary>The merged JSON (bases resolved, overrides applied) before binding.</summary>
    public static JObject LoadJson(string path, IEnumerable<string>? overrides = null)
    {
        var json = ReadWithBases(Path.GetFullPath(path), []);
        foreach (var assignment in overrides ?? []) ApplyOverride(json, assignment);
        return json;
    }

    public static ExperimentConfig Bind(JObject json, string source)
    {
        try
        {
            return json.ToObject<ExperimentConfig>(JsonSerializer.Create(Settings))
                   ?? throw new UserInputException($"{source}: empty config");
        }
        catch (JsonSerializationException e) when (e.Message.StartsWith("Could not find member", StringComparison.Ordinal))
        {
            throw new UserInputException($"{source}: unknown key '{e.Path}'");
        }
        catch (JsonException e)
        {
            throw new UserInputException($"{source}: bad value at '{(e as JsonSerializationException)?.Path ?? "?"}': {e.Message.ReplaceLineEndings(" ")}");
        }
    }

    /// <summary>The effective config as JSON with every field (defaults included), for logs and checkpoints.</summary>
    public static string Serialize(ExperimentConfig config) => JsonConvert.SerializeObject(config, Formatting.Indented, Settings);

    public static void ApplyOverride(JObject json, string assignment)
    {
        var equals = assignment.IndexOf('=');
        if (equals <= 0) throw new UserInputException($"--set '{assignment}': expected key.path=value");
        var keys = assignment[..equals].Trim().Split('.');
        var text = assignment[(equals + 1)..];
        JToken value;
        try { value = JToken.Parse(text); }
        catch (JsonReaderException) { value = new JValue(text); }
        var node = json;
        foreach (var key in keys[..^1])
        {
            if (node[key] is not JObject child)
            {
                child = new JObject();
                node[key] = child;
            }
            node = child;
        }
        node[keys[^1]] = value;
    }

    private static JObject ReadWithBases(string path, HashSet<string> seen)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"config {path} not found");
        if (!seen.Add(path)) throw new UserInputException($"{path}: 'base' chain loops back to itself");
        JObject json;
        try { json = JObject.Parse(File.ReadAllText(path)); }
        catch (JsonReaderException e) { throw new UserInputException($"{path}: not valid JSON ({e.Message.ReplaceLineEndings(" ")})"); }
        if (json["base"] is not JValue { Type: JTokenType.String } baseValue) return json;
        json.Remove("base");
        var merged = ReadWithBases(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, (string)baseValue!)), seen);
        merged.Merge(json, new JsonMergeSettings { MergeArrayHandling = MergeArrayHandling.Replace, MergeNullValueHandling = MergeNullValueHandling.Merge });
        return merged;
    }
}

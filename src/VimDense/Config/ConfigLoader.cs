using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace VimDense.Config;

/// <summary>
/// Reads experiment configs: JSON with snake_case keys, an optional "base" key naming another config (relative
/// to this file) whose values this one overrides, then command-line overrides "a.b=c" (c parsed as JSON when it
/// is valid JSON, else taken as a string). Unknown keys are errors naming the key and the file or override that
/// gave it. A file that names another "type" for a component replaces the base's component: keys it inherits from
/// the base that the new component does not know are dropped (see <see cref="ConfigOrigins"/>).
/// </summary>
public static class ConfigLoader
{
    public static ExperimentConfig Load(string path, IEnumerable<string>? overrides = null)
    {
        var (json, origins) = LoadWithOrigins(path, overrides);
        return ConfigBinding.Bind<ExperimentConfig>(json, "", origins);
    }

    /// <summary>The merged JSON (bases resolved, overrides applied) before binding.</summary>
    public static JObject LoadJson(string path, IEnumerable<string>? overrides = null) => LoadWithOrigins(path, overrides).Json;

    /// <summary>The merged JSON and where each of its keys came from.</summary>
    public static (JObject Json, ConfigOrigins Origins) LoadWithOrigins(string path, IEnumerable<string>? overrides = null)
    {
        var origins = new ConfigOrigins();
        var json = ReadWithBases(Path.GetFullPath(path), [], origins);
        foreach (var assignment in overrides ?? []) ApplyOverride(json, assignment, origins);
        return (json, origins);
    }

    public static ExperimentConfig Bind(JObject json, string source) => ConfigBinding.Bind<ExperimentConfig>(json, "", ConfigOrigins.Single(source));

    /// <summary>The config as JSON (typed sections with every field, component sections as given), for logs and checkpoints.</summary>
    public static string Serialize(ExperimentConfig config) => JsonConvert.SerializeObject(config, Formatting.Indented, ConfigBinding.Settings());

    public static void ApplyOverride(JObject json, string assignment) => ApplyOverride(json, assignment, new ConfigOrigins());

    private static void ApplyOverride(JObject json, string assignment, ConfigOrigins origins)
    {
        var equals = assignment.IndexOf('=');
        if (equals <= 0) throw new UserInputException($"--set '{assignment}': expected key.path=value");
        var keys = assignment[..equals].Trim().Split('.');
        var text = assignment[(equals + 1)..];
        JToken value;
        try { value = JToken.Parse(text); }
        catch (JsonReaderException) { value = new JValue(text); }
        var origin = $"--set {assignment}";
        var node = json;
        foreach (var key in keys[..^1])
        {
            if (node[key] is not JObject child)
            {
                child = new JObject();
                node[key] = child;
                // A section the assignment creates is its own: an unknown key there is the assignment's fault, not the file's.
                origins.Set(child.Path, origin);
            }
            node = child;
        }
        var patch = new JObject { [keys[^1]] = value };
        MarkReplacedComponents(node, patch, origins);
        node[keys[^1]] = value;
        origins.Set(node.Path.Length == 0 ? keys[^1] : $"{node.Path}.{keys[^1]}", origin);
        if (value is JObject set) RecordOrigins(set, origin, origins);
    }

    private static JObject ReadWithBases(string path, HashSet<string> seen, ConfigOrigins origins)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"config {path} not found");
        IO.InputFile.CheckRegular(path, "config JSON"); // a FIFO would block the read forever
        if (!seen.Add(path)) throw new UserInputException($"{path}: 'base' chain loops back to itself");
        JObject json;
        try { json = JObject.Parse(File.ReadAllText(path)); }
        catch (JsonReaderException e) { throw new UserInputException($"{path}: not valid JSON ({e.Message.ReplaceLineEndings(" ")})"); }
        if (json["base"] is not JValue { Type: JTokenType.String } baseValue)
        {
            RecordOrigins(json, path, origins);
            return json;
        }
        json.Remove("base");
        var merged = ReadWithBases(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, (string)baseValue!)), seen, origins);
        MarkReplacedComponents(merged, json, origins);
        merged.Merge(json, new JsonMergeSettings { MergeArrayHandling = MergeArrayHandling.Replace, MergeNullValueHandling = MergeNullValueHandling.Merge });
        RecordOrigins(json, path, origins);
        return merged;
    }

    /// <summary>Every key of <paramref name="json"/> (recursively) came from <paramref name="origin"/>.</summary>
    private static void RecordOrigins(JObject json, string origin, ConfigOrigins origins)
    {
        foreach (var token in json.DescendantsAndSelf().OfType<JProperty>()) origins.Set(token.Path, origin);
    }

    /// <summary>
    /// Where <paramref name="patch"/> gives an object a "type" other than the one in <paramref name="target"/>, the
    /// keys the target's object holds become "inherited from a replaced component".
    /// </summary>
    private static void MarkReplacedComponents(JObject target, JObject patch, ConfigOrigins origins)
    {
        foreach (var property in patch.Properties())
        {
            if (property.Name == "type" && property.Value is JValue newType && target["type"] is JValue oldType
                && !string.Equals((string?)newType, (string?)oldType, StringComparison.OrdinalIgnoreCase))
                foreach (var inherited in target.Descendants().OfType<JProperty>()) origins.MarkReplaced(inherited.Path);
            else if (target[property.Name] is JObject existing && property.Value is JObject patchObject)
                MarkReplacedComponents(existing, patchObject, origins);
        }
    }
}

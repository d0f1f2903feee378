using Newtonsoft.Json.Linq;

namespace VimDense.Datasets.Synthetic;

/// <summary>Reads the <c>synthetic.json</c> written beside a synthetic data set.</summary>
public static class SyntheticInfo
{
    /// <summary>The number of classes recorded in <c>root/synthetic.json</c>, or null when there is none.</summary>
    public static int? NumClasses(string root)
    {
        var path = Path.Combine(root, "synthetic.json");
        if (!File.Exists(path)) return null;
        var json = Read(path);
        return json.Value<int?>("num_classes")
               ?? throw new InvalidDataException($"{path}: missing field 'num_classes'");
    }

    /// <summary>Class names recorded in <c>root/synthetic.json</c>, or null.</summary>
    public static IReadOnlyList<string>? ClassNames(string root)
    {
        var path = Path.Combine(root, "synthetic.json");
        if (!File.Exists(path)) return null;
        var json = Read(path);
        return json["classes"]?.Values<string>().Select(s => s ?? "").ToList();
    }

    private static JObject Read(string path)
    {
        try { return JObject.Parse(File.ReadAllText(path)); }
        catch (Newtonsoft.Json.JsonReaderException e) { throw new InvalidDataException($"{path}: not valid JSON ({e.Message.ReplaceLineEndings(" ")})", e); }
    }
}

namespace VimDense.Config;

/// <summary>
/// Where each key of a merged config came from (a file of the "base" chain, or a --set override), and which keys a
/// file inherited from a base whose component it replaced by naming another "type": those are dropped when the new
/// component does not know them, instead of being errors (a segmenter head inheriting an upernet head's pool_scales).
/// Keys are JSON paths ("model.decode_head.channels").
/// </summary>
public sealed class ConfigOrigins
{
    private readonly Dictionary<string, string> origins = new(StringComparer.Ordinal);
    private readonly HashSet<string> replaced = new(StringComparer.Ordinal);

    /// <summary>For sections built in code: every key comes from the same place and none is inherited.</summary>
    public static ConfigOrigins Single(string origin) => new() { Fallback = origin };

    private string Fallback { get; init; } = "defaults";

    /// <summary>The file or --set assignment that gave <paramref name="path"/> (or the nearest enclosing key that has one).</summary>
    public string Describe(string path)
    {
        for (var key = path; key.Length > 0; key = Parent(key))
            if (origins.TryGetValue(key, out var origin)) return origin;
        return Fallback;
    }

    /// <summary>Whether <paramref name="path"/> was inherited from a component of another type.</summary>
    public bool IsInheritedFromReplacedComponent(string path) => replaced.Contains(path);

    internal void Set(string path, string origin)
    {
        origins[path] = origin;
        replaced.Remove(path);
    }

    internal void MarkReplaced(string path) => replaced.Add(path);

    private static string Parent(string path)
    {
        var dot = path.LastIndexOf('.');
        return dot < 0 ? "" : path[..dot];
    }
}

using TorchSharp;
using VimDense.Checkpoints.Pickle;
using VimDense.IO;
using static TorchSharp.torch;

namespace VimDense.Checkpoints;

/// <summary>
/// Reads PyTorch checkpoints (torch.save, zip layout and the legacy pre-1.6 one) without Python and without executing anything: a
/// restricted unpickler builds only tensors, dictionaries, lists, tuples and primitives, and refuses
/// any other global (os.system, builtins.eval, ...) with an error naming it.
/// </summary>
public static class TorchCheckpoint
{
    /// <summary>The containers official checkpoints keep the weights in, tried in this order.</summary>
    public static readonly IReadOnlyList<string> StateDictKeys = ["model", "state_dict", "model_ema"];

    /// <summary>
    /// The whole object graph: dictionaries (<c>Dictionary&lt;string, object?&gt;</c> in file order, also
    /// for OrderedDict and argparse.Namespace; integer keys become decimal strings), lists
    /// (<c>List&lt;object?&gt;</c>), tuples (<c>object?[]</c>), long, double, bool, string, byte[], null and
    /// CPU tensors (views sharing storage where the file's tensors did; NumPy arrays become tensors too, NumPy
    /// scalars long/double/bool).
    /// </summary>
    public static object? Load(string path) => WithFileErrors(path, () =>
    {
        using var archive = Open(path);
        var graph = archive.ReadGraph();
        return MaterializeAll(graph, archive);
    });

    /// <summary>
    /// The state dict (name → tensor). <paramref name="key"/> names the container to unwrap
    /// (<c>model</c>, <c>model_ema</c>, <c>state_dict</c>, ...); when null, a top-level dictionary of
    /// tensors is the state dict, else the first of <see cref="StateDictKeys"/> that holds one.
    /// From zip checkpoints only the chosen tensors' storages are read (a legacy file is read whole).
    /// </summary>
    public static Dictionary<string, Tensor> LoadStateDict(string path, string? key = null) => WithFileErrors(path, () =>
    {
        using var archive = Open(path);
        var stateDict = SelectStateDict(archive.ReadGraph(), path, key);
        return stateDict.ToDictionary(kv => kv.Key, kv => archive.Materialize((TensorRef)kv.Value!));
    });

    /// <summary>The zip layout (PyTorch ≥ 1.6) or, for files that start with a pickle, the legacy one.</summary>
    private static ITorchFile Open(string path)
    {
        var head = new byte[2];
        using (var file = InputFile.OpenRead(path, "checkpoint"))
        {
            if (file.Read(head) < 2 || head[0] != 0x80 || head[1] > 5) return new TorchArchive(path);
            if (file.Length > Array.MaxLength)
                throw new InvalidDataException($"{path}: legacy (pre-1.6) checkpoint larger than 2 GB; re-save it with a newer PyTorch");
        }
        return new LegacyTorchFile(path, File.ReadAllBytes(path));
    }

    private static Dictionary<string, object?> SelectStateDict(object? graph, string path, string? key)
    {
        if (graph is not Dictionary<string, object?> top)
            throw new UserInputException($"{path}: the checkpoint holds a {PickleKeys.Describe(graph)}, expected a dictionary");
        if (key is not null)
        {
            if (!top.TryGetValue(key, out var inner))
                throw new UserInputException($"{path}: no '{key}' entry; top-level keys: {KeyList(top)}");
            if (inner is not Dictionary<string, object?> dict || !IsTensorDict(dict))
                throw new UserInputException($"{path}: '{key}' is not a state dict (a dictionary of tensors)");
            return dict;
        }
        if (IsTensorDict(top)) return top;
        foreach (var candidate in StateDictKeys)
            if (top.TryGetValue(candidate, out var inner) && inner is Dictionary<string, object?> dict && IsTensorDict(dict))
                return dict;
        throw new UserInputException($"{path}: no state dict found: the top level is not a dictionary of tensors and has no " +
                                     $"{string.Join("/", StateDictKeys)} entry holding one; top-level keys: {KeyList(top)} (choose one with --key)");
    }

    private static bool IsTensorDict(Dictionary<string, object?> dict) => dict.Count > 0 && dict.Values.All(v => v is TensorRef);

    private static string KeyList(Dictionary<string, object?> dict) =>
        string.Join(", ", dict.Keys.Take(12).Select(k => PickleKeys.Clip(k))) + (dict.Count > 12 ? $", ... ({dict.Count} in all)" : "");

    /// <summary>Replaces every tensor reference in the graph by its tensor (iteratively: graphs may be deep).</summary>
    private static object? MaterializeAll(object? graph, ITorchFile archive)
    {
        if (graph is TensorRef or NumpyArray) return Convert(graph);
        var visited = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<object>();
        if (graph is not null) pending.Push(graph);
        while (pending.Count > 0)
        {
            var node = pending.Pop();
            if (!visited.Add(node)) continue;
            switch (node)
            {
                case Dictionary<string, object?> dict:
                    foreach (var k in dict.Keys.ToList()) dict[k] = Visit(dict[k]);
                    break;
                case List<object?> list:
                    for (var i = 0; i < list.Count; i++) list[i] = Visit(list[i]);
                    break;
                case object?[] tuple:
                    for (var i = 0; i < tuple.Length; i++) tuple[i] = Visit(tuple[i]);
                    break;
            }
        }
        return graph;

        Tensor Convert(object value) => value is TensorRef tensor ? archive.Materialize(tensor) : ((NumpyArray)value).ToTensor();

        object? Visit(object? value)
        {
            if (value is TensorRef or NumpyArray) return Convert(value);
            if (value is Dictionary<string, object?> or List<object?> or object?[]) pending.Push(value);
            return value;
        }
    }

    /// <summary>Low-level read errors become one-line messages that name the file.</summary>
    private static T WithFileErrors<T>(string path, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is InvalidDataException or IOException or OverflowException
                                  && e is not (FileNotFoundException or DirectoryNotFoundException) && !e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{path}: not a readable PyTorch checkpoint: {e.Message.ReplaceLineEndings(" ")}", e);
        }
    }
}

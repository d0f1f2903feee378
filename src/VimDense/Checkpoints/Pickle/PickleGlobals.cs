using System.Globalization;
using System.Text;
using TorchSharp;

namespace VimDense.Checkpoints.Pickle;

/// <summary>
/// The explicit whitelist of Python globals a checkpoint pickle may name. Each maps to a pure C#
/// builder; every other global (os.system, builtins.eval, subprocess.*, torch.storage._load_from_bytes,
/// ...) is refused when the GLOBAL opcode is read, before anything could be called.
/// </summary>
internal static class PickleGlobals
{
    /// <summary>dtype objects pickle by name (<c>torch.float32</c>); they become that name as a string.</summary>
    private static readonly HashSet<string> TorchDTypeNames =
    [
        "float32", "float", "float16", "half", "bfloat16", "float64", "double", "int64", "long", "int32", "int",
        "int16", "short", "int8", "uint8", "bool", "complex64", "complex128",
    ];

    public static string AllowedSummary =>
        "collections.OrderedDict, torch._utils._rebuild_tensor(_v2), torch._utils._rebuild_parameter(_with_state), " +
        "torch.<Type>Storage, torch.Size, torch.device, torch.<dtype>, argparse.Namespace, _codecs.encode, " +
        "numpy scalars and numeric arrays";

    /// <summary>The value the global stands for, or null when it is not allowed.</summary>
    public static object? Resolve(string module, string name)
    {
        var full = $"{module}.{name}";
        switch (full)
        {
            case "collections.OrderedDict":
                return new PickleCallable(full, NewOrderedDict);
            case "torch._utils._rebuild_tensor_v2":
            case "torch._utils._rebuild_tensor":
                return new PickleCallable(full, RebuildTensor);
            case "torch._utils._rebuild_parameter":
            case "torch._utils._rebuild_parameter_with_state":
                return new PickleCallable(full, args => Arg<TensorRef>(args, 0, full));
            case "torch.Size":
                return new PickleCallable(full, args => Arg<object?[]>(args, 0, full));
            case "torch.device":
                return new PickleCallable(full, args => string.Join(":", args.Select(a => Convert.ToString(a, CultureInfo.InvariantCulture))));
            case "argparse.Namespace":
                return new PickleCallable(full, _ => new Dictionary<string, object?>(), StateIsContent: true);
            case "_codecs.encode":
                return new PickleCallable(full, EncodeLatin1);
            case "numpy.dtype":
                return new PickleCallable(full, NumpyBuilders.DType);
            case "numpy.ndarray":
                return new NumpyArrayClass();
            case "numpy.core.multiarray.scalar":
            case "numpy._core.multiarray.scalar":
                return new PickleCallable(full, NumpyBuilders.Scalar);
            case "numpy.core.multiarray._reconstruct":
            case "numpy._core.multiarray._reconstruct":
                return new PickleCallable(full, NumpyBuilders.Reconstruct);
        }
        if (module == "torch" && name.EndsWith("Storage", StringComparison.Ordinal)
            && TensorDTypes.FromTorchStorage(name) is { } type)
            return new StorageClass(full, type);
        if (module == "torch" && TorchDTypeNames.Contains(name))
            return full;
        return null;
    }

    private static Dictionary<string, object?> NewOrderedDict(object?[] args)
    {
        var dict = new Dictionary<string, object?>();
        if (args.Length == 0) return dict;
        // OrderedDict([(key, value), ...]): the form older picklers emit.
        if (args.Length == 1 && args[0] is List<object?> pairs)
        {
            foreach (var pair in pairs)
            {
                if (pair is not object?[] { Length: 2 } kv) throw new InvalidDataException("OrderedDict items must be (key, value) pairs");
                dict[PickleKeys.Format(kv[0])] = kv[1];
            }
            return dict;
        }
        throw new InvalidDataException("collections.OrderedDict called with unexpected arguments");
    }

    // libtorch's own limit on a tensor's dimensions.
    private const int MaxDimensions = 64;

    /// <summary>_rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata]).</summary>
    private static TensorRef RebuildTensor(object?[] args)
    {
        const string name = "torch._utils._rebuild_tensor_v2";
        if (args.Length < 4) throw new InvalidDataException($"{name} needs at least 4 arguments, got {args.Length}");
        var storage = Arg<StorageRef>(args, 0, name);
        var offset = Arg<long>(args, 1, name);
        var size = Arg<object?[]>(args, 2, name).Select(v => v is long l ? l : throw new InvalidDataException($"{name}: size must hold integers")).ToArray();
        var stride = Arg<object?[]>(args, 3, name).Select(v => v is long l ? l : throw new InvalidDataException($"{name}: stride must hold integers")).ToArray();
        if (size.Length > MaxDimensions) throw new InvalidDataException($"{name}: {size.Length} dimensions; at most {MaxDimensions} expected");
        if (size.Length != stride.Length) throw new InvalidDataException($"{name}: size has {size.Length} dimensions but stride has {stride.Length}");
        return new TensorRef(storage, offset, size, stride);
    }

    /// <summary>_codecs.encode(text, "latin1"): how protocol 2 spells Python 3 bytes.</summary>
    private static byte[] EncodeLatin1(object?[] args)
    {
        if (args.Length != 2 || args[0] is not string text || args[1] is not ("latin1" or "latin-1"))
            throw new InvalidDataException("_codecs.encode is only allowed as encode(str, 'latin1')");
        return Encoding.Latin1.GetBytes(text);
    }

    private static T Arg<T>(object?[] args, int index, string function) =>
        index < args.Length && args[index] is T value ? value
            : throw new InvalidDataException($"{function}: argument {index} must be {typeof(T).Name}, got {PickleKeys.Describe(index < args.Length ? args[index] : null)}");
}

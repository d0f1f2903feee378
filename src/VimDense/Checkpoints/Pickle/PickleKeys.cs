using System.Globalization;

namespace VimDense.Checkpoints.Pickle;

/// <summary>How unpickled values are named in dictionary keys and error messages.</summary>
internal static class PickleKeys
{
    /// <summary>
    /// Dictionary keys become strings: text as is, integers in decimal (optimizer state uses parameter
    /// indices), other values as Python would print them.
    /// </summary>
    public static string Format(object? key) => Format(key, depth: 0);

    private static string Format(object? key, int depth) => depth > 32
        ? throw new InvalidDataException("dictionary key nested too deeply")
        : key switch
    {
        string s => s,
        long l => l.ToString(CultureInfo.InvariantCulture),
        System.Numerics.BigInteger big => big.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "True" : "False",
        null => "None",
        object?[] tuple => "(" + string.Join(", ", tuple.Select(k => Format(k, depth + 1))) + (tuple.Length == 1 ? ",)" : ")"),
        _ => throw new InvalidDataException($"unsupported dictionary key of type {Describe(key)}"),
    };

    public static string Describe(object? value) => value switch
    {
        null => "None",
        string => "str",
        long or System.Numerics.BigInteger => "int",
        double => "float",
        bool => "bool",
        byte[] => "bytes",
        object?[] => "tuple",
        List<object?> => "list",
        Dictionary<string, object?> => "dict",
        TensorRef => "tensor",
        StorageRef => "storage",
        PickleCallable c => c.Name,
        StorageClass c => c.Name,
        NumpyArray => "numpy.ndarray",
        NumpyDType d => $"numpy.dtype({d.Descr})",
        _ => value.GetType().Name,
    };
}

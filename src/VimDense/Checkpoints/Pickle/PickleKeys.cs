using System.Globalization;
using System.Text;

namespace VimDense.Checkpoints.Pickle;

/// <summary>How unpickled values are named in dictionary keys and error messages.</summary>
internal static class PickleKeys
{
    /// <summary>Dictionary keys longer than this are refused: memo reuse lets a 500-byte tuple key expand to 2^24 items.</summary>
    public const int MaxKeyLength = 4096;

    /// <summary>
    /// Dictionary keys become strings: text as is, integers in decimal (optimizer state uses parameter
    /// indices), other values as Python would print them.
    /// </summary>
    public static string Format(object? key)
    {
        if (key is string s) return s;
        var text = new StringBuilder();
        Append(text, key, depth: 0);
        return text.ToString();
    }

    /// <summary>At most <paramref name="length"/> characters of a file-provided text, for error messages.</summary>
    public static string Clip(string text, int length = 80) => text.Length <= length ? text : text[..length] + $"... ({text.Length} characters)";

    private static void Append(StringBuilder text, object? key, int depth)
    {
        if (depth > 32) throw new InvalidDataException("dictionary key nested too deeply");
        if (text.Length > MaxKeyLength)
            throw new UserInputException($"a dictionary key is longer than {MaxKeyLength} characters (the limit for keys)");
        switch (key)
        {
            case string s: text.Append(s); break;
            case long l: text.Append(l.ToString(CultureInfo.InvariantCulture)); break;
            case System.Numerics.BigInteger big: text.Append(big.ToString(CultureInfo.InvariantCulture)); break;
            case double d: text.Append(d.ToString("R", CultureInfo.InvariantCulture)); break;
            case bool b: text.Append(b ? "True" : "False"); break;
            case null: text.Append("None"); break;
            case object?[] tuple:
                text.Append('(');
                for (var i = 0; i < tuple.Length; i++)
                {
                    if (i > 0) text.Append(", ");
                    Append(text, tuple[i], depth + 1);
                }
                text.Append(tuple.Length == 1 ? ",)" : ")");
                break;
            default: throw new InvalidDataException($"unsupported dictionary key of type {Describe(key)}");
        }
    }

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

using static TorchSharp.torch;

namespace VimDense.Engine;

/// <summary>Names and element types of <see cref="Precision"/>: the one parser of "fp32"/"bf16"/"fp16".</summary>
public static class Precisions
{
    public static readonly IReadOnlyList<string> Names = ["fp32", "bf16", "fp16"];

    public static string Name(Precision precision) => precision switch
    {
        Precision.Fp32 => "fp32",
        Precision.Bf16 => "bf16",
        Precision.Fp16 => "fp16",
        _ => throw new ArgumentOutOfRangeException(nameof(precision)),
    };

    /// <summary>One precision name; <paramref name="origin"/> names where it came from ("--precision") in the error.</summary>
    public static Precision Parse(string text, string origin) => text.Trim().ToLowerInvariant() switch
    {
        "fp32" or "float32" => Precision.Fp32,
        "bf16" or "bfloat16" => Precision.Bf16,
        "fp16" or "float16" => Precision.Fp16,
        _ => throw new UserInputException($"{origin}: '{text}' is not a precision, expected one of {string.Join(", ", Names)}"),
    };

    /// <summary>A comma-separated list ("fp32,bf16"), each once, in the order given.</summary>
    public static IReadOnlyList<Precision> ParseList(string text, string origin)
    {
        var parsed = text.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(p => Parse(p, origin)).Distinct().ToList();
        return parsed.Count > 0 ? parsed : throw new UserInputException($"{origin}: empty, expected one or more of {string.Join(", ", Names)} separated by commas");
    }

    /// <summary>The reduced element type autocast lowers to; null for fp32 (no autocast).</summary>
    public static ScalarType? LowType(Precision precision) => precision switch
    {
        Precision.Bf16 => ScalarType.BFloat16,
        Precision.Fp16 => ScalarType.Float16,
        _ => null,
    };
}

using TorchSharp;

namespace VimDense.Checkpoints;

/// <summary>
/// The element types VimDense reads and writes, with their names in each file format
/// (PyTorch storage classes, safetensors dtype strings, NumPy descriptors).
/// </summary>
internal static class TensorDTypes
{
    private sealed record Entry(torch.ScalarType Type, string TorchStorage, string SafeTensors, string? Numpy);

    // One row per supported type; anything else is rejected with the list of these names.
    private static readonly Entry[] Table =
    [
        new(torch.ScalarType.Float32, "FloatStorage", "F32", "<f4"),
        new(torch.ScalarType.Float16, "HalfStorage", "F16", "<f2"),
        new(torch.ScalarType.BFloat16, "BFloat16Storage", "BF16", null),
        new(torch.ScalarType.Float64, "DoubleStorage", "F64", "<f8"),
        new(torch.ScalarType.Int64, "LongStorage", "I64", "<i8"),
        new(torch.ScalarType.Int32, "IntStorage", "I32", "<i4"),
        new(torch.ScalarType.Int16, "ShortStorage", "I16", "<i2"),
        new(torch.ScalarType.Int8, "CharStorage", "I8", "|i1"),
        new(torch.ScalarType.Byte, "ByteStorage", "U8", "|u1"),
        new(torch.ScalarType.Bool, "BoolStorage", "BOOL", "|b1"),
    ];

    public static torch.ScalarType? FromTorchStorage(string className) =>
        Table.FirstOrDefault(e => e.TorchStorage == className)?.Type;

    public static torch.ScalarType? FromSafeTensors(string name) =>
        Table.FirstOrDefault(e => e.SafeTensors == name)?.Type;

    public static torch.ScalarType? FromNumpy(string descr) =>
        Table.FirstOrDefault(e => e.Numpy == descr)?.Type;

    public static string ToSafeTensors(torch.ScalarType type) =>
        Table.FirstOrDefault(e => e.Type == type)?.SafeTensors
        ?? throw new NotSupportedException($"tensor type {type} cannot be written to safetensors (supported: {SupportedSafeTensors})");

    public static string ToTorchStorage(torch.ScalarType type) =>
        Table.FirstOrDefault(e => e.Type == type)?.TorchStorage
        ?? throw new NotSupportedException($"tensor type {type} cannot be written to .pth (supported: {string.Join(", ", Table.Select(e => e.Type))})");

    public static string ToNumpy(torch.ScalarType type) =>
        Table.FirstOrDefault(e => e.Type == type)?.Numpy
        ?? throw new NotSupportedException($"tensor type {type} cannot be written to .npy (supported: {SupportedNumpy})");

    public static string SupportedSafeTensors => string.Join(", ", Table.Select(e => e.SafeTensors));
    public static string SupportedNumpy => string.Join(", ", Table.Where(e => e.Numpy is not null).Select(e => e.Numpy));

    /// <summary>Bytes per element.</summary>
    public static int Size(torch.ScalarType type) => type switch
    {
        torch.ScalarType.Float64 or torch.ScalarType.Int64 => 8,
        torch.ScalarType.Float32 or torch.ScalarType.Int32 => 4,
        torch.ScalarType.Float16 or torch.ScalarType.BFloat16 or torch.ScalarType.Int16 => 2,
        torch.ScalarType.Int8 or torch.ScalarType.Byte or torch.ScalarType.Bool => 1,
        _ => throw new NotSupportedException($"tensor type {type} is not supported"),
    };
}

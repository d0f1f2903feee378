using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using VimDense.Checkpoints;
using static TorchSharp.torch;

namespace VimDense.IO;

/// <summary>
/// NumPy <c>.npy</c> files (format 1.0/2.0/3.0): little-endian <c>&lt;f4 &lt;f8 &lt;f2 &lt;i8 &lt;i4 &lt;i2 |i1 |u1 |b1</c>,
/// in C or Fortran order (read into a contiguous tensor either way). Other descriptors and big-endian data are
/// refused with the reason.
/// </summary>
public static partial class NpyFile
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>The array as a CPU tensor of its dtype and shape.</summary>
    public static Tensor Read(string path)
    {
        try
        {
            return ReadChecked(path);
        }
        catch (Exception e) when (e is OverflowException or EndOfStreamException or ArgumentException)
        {
            throw new InvalidDataException($"{path}: not a readable .npy file: {e.Message.ReplaceLineEndings(" ")}", e);
        }
    }

    private static Tensor ReadChecked(string path)
    {
        using var file = InputFile.OpenRead(path, ".npy");
        var (dtype, shape, fortranOrder) = ReadHeader(file, path);
        var elementSize = TensorDTypes.Size(dtype);
        var numel = shape.Aggregate(1L, (a, b) => checked(a * b));
        var expected = checked(numel * elementSize);
        var available = file.Length - file.Position;
        if (available != expected)
            throw new InvalidDataException($"{path}: {available} data bytes, expected {expected} for shape ({string.Join(", ", shape)}) of {dtype}");
        using var flat = TensorBytes.ReadFlat(file, dtype, numel, elementSize);
        if (!fortranOrder) return flat.reshape(shape);
        // Column-major (a, b, c) is row-major (c, b, a) with the axes reversed.
        using var reversed = flat.reshape(shape.Reverse().ToArray());
        using var view = reversed.permute(Enumerable.Range(0, shape.Length).Reverse().Select(d => (long)d).ToArray());
        return view.contiguous();
    }

    /// <summary>Writes the tensor (any device or layout) as format 1.0, C order.</summary>
    public static void Write(string path, Tensor tensor)
    {
        var descr = TensorDTypes.ToNumpy(tensor.dtype);
        var shape = tensor.shape.Length switch
        {
            0 => "()",
            1 => $"({tensor.shape[0]},)",
            _ => "(" + string.Join(", ", tensor.shape) + ")",
        };
        var dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}";
        // Magic (6) + version (2) + length (2) + dict, padded with spaces and ended by '\n' to a multiple of 64.
        var total = (10 + dict.Length + 1 + 63) / 64 * 64;
        var header = dict.PadRight(total - 10 - 1) + "\n";
        if (header.Length > ushort.MaxValue) throw new ArgumentException($"{path}: shape too long for a .npy 1.0 header");
        AtomicFile.Write(path, stream =>
        {
            stream.Write(Magic);
            stream.Write([1, 0]);
            Span<byte> length = stackalloc byte[2];
            BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)header.Length);
            stream.Write(length);
            stream.Write(Encoding.ASCII.GetBytes(header));
            TensorBytes.Write(stream, tensor);
        });
    }

    private static (ScalarType DType, long[] Shape, bool FortranOrder) ReadHeader(FileStream file, string path)
    {
        var prefix = new byte[8];
        if (file.Read(prefix) != 8 || !prefix.AsSpan(0, 6).SequenceEqual(Magic))
            throw new InvalidDataException($"{path}: not a .npy file (no \\x93NUMPY magic)");
        var major = prefix[6];
        int headerLength;
        if (major == 1)
        {
            var b = new byte[2];
            file.ReadExactly(b);
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(b);
        }
        else if (major is 2 or 3)
        {
            var b = new byte[4];
            file.ReadExactly(b);
            var value = BinaryPrimitives.ReadUInt32LittleEndian(b);
            if (value > file.Length) throw new InvalidDataException($"{path}: .npy header length {value} exceeds the file");
            headerLength = (int)value;
        }
        else throw new InvalidDataException($"{path}: .npy format version {major}.{prefix[7]} is not supported (1.0, 2.0, 3.0 are)");
        var headerBytes = new byte[headerLength];
        try { file.ReadExactly(headerBytes); }
        catch (EndOfStreamException) { throw new InvalidDataException($"{path}: .npy header is truncated"); }
        var header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(headerBytes);
        var fortran = FortranPattern().Match(header);
        if (!fortran.Success) throw new InvalidDataException($"{path}: .npy header has no fortran_order: {header.Trim()}");
        return (ParseDescr(header, path), ParseShape(header, path), fortran.Groups[1].Value == "True");
    }

    private static ScalarType ParseDescr(string header, string path)
    {
        var descr = DescrPattern().Match(header);
        if (!descr.Success) throw new InvalidDataException($"{path}: .npy header has no string descr: {header.Trim()}");
        var name = descr.Groups[1].Value;
        // '=' and '|' mean native / not applicable; NumPy writes '<' for multi-byte types on little-endian machines.
        var normalised = name.Length == 3 && name[1..] is "u1" or "i1" or "b1" ? "|" + name[1..] : name;
        return TensorDTypes.FromNumpy(normalised)
               ?? throw new InvalidDataException($"{path}: .npy dtype '{name}' is not supported (supported: {TensorDTypes.SupportedNumpy})");
    }

    private static long[] ParseShape(string header, string path)
    {
        var match = ShapePattern().Match(header);
        if (!match.Success) throw new InvalidDataException($"{path}: .npy header has no shape tuple: {header.Trim()}");
        return match.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => long.TryParse(s.TrimEnd('L'), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v
                : throw new InvalidDataException($"{path}: .npy shape entry '{s}' is not a non-negative integer"))
            .ToArray();
    }

    [GeneratedRegex(@"['""]descr['""]\s*:\s*['""]([^'""]*)['""]")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"['""]fortran_order['""]\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"['""]shape['""]\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}

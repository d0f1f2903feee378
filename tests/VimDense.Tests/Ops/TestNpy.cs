using System.Text;
using System.Text.RegularExpressions;
using static TorchSharp.torch;

namespace VimDense.Tests.Ops;

/// <summary>Minimal reader of little-endian float32 C- or Fortran-order .npy files (NumPy format 1.0), for the fixtures.</summary>
internal static partial class TestNpy
{
    public static Tensor Load(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 10 || bytes[0] != 0x93 || Encoding.ASCII.GetString(bytes, 1, 5) != "NUMPY")
            throw new InvalidDataException($"{path}: not a .npy file");
        var headerLength = BitConverter.ToUInt16(bytes, 8);
        var header = Encoding.ASCII.GetString(bytes, 10, headerLength);
        if (!header.Contains("'descr': '<f4'"))
            throw new InvalidDataException($"{path}: expected little-endian float32, header {header}");
        var fortranOrder = header.Contains("'fortran_order': True");
        var shapeText = ShapePattern().Match(header).Groups[1].Value;
        var shape = shapeText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(long.Parse).ToArray();
        var count = shape.Aggregate(1L, (a, b) => a * b);
        var data = new float[count];
        Buffer.BlockCopy(bytes, 10 + headerLength, data, 0, checked((int)count * 4));
        if (!fortranOrder) return tensor(data, shape);
        // Fortran order: the data is the C-order layout of the reversed shape, transposed.
        var reversed = tensor(data, shape.Reverse().ToArray());
        return reversed.permute(Enumerable.Range(0, shape.Length).Reverse().Select(i => (long)i).ToArray()).contiguous();
    }

    [GeneratedRegex(@"'shape': \(([^)]*)\)")]
    private static partial Regex ShapePattern();
}

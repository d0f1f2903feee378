using System.Buffers.Binary;
using TorchSharp;

namespace VimDense.Checkpoints.Pickle;

/// <summary>An object whose pickled state is applied by a later BUILD opcode (as data, never as code).</summary>
internal interface IPickleState
{
    void SetState(object? state);
}

/// <summary>A NumPy dtype as pickled: <c>numpy.dtype('f8', False, True)</c> then BUILD with the byte order.</summary>
internal sealed class NumpyDType(string kindAndSize) : IPickleState
{
    public string Descr { get; private set; } = kindAndSize is ['b' or 'i' or 'u', '1'] ? "|" + kindAndSize : "<" + kindAndSize;

    public void SetState(object? state)
    {
        // (version, byteorder, subarray, names, fields, elsize, alignment, flags): only the byte order matters here.
        if (state is object?[] { Length: >= 2 } s && s[1] is string order)
            Descr = (order == "=" ? (BitConverter.IsLittleEndian ? "<" : ">") : order) + Descr[1..];
    }
}

/// <summary>The ndarray class object, only ever passed to <c>_reconstruct</c>.</summary>
internal sealed record NumpyArrayClass;

/// <summary>A NumPy array as pickled: <c>_reconstruct(ndarray, (0,), b'b')</c> then BUILD with its data.</summary>
internal sealed class NumpyArray : IPickleState
{
    private long[] _shape = [0];
    private NumpyDType? _dtype;
    private bool _fortran;
    private byte[] _data = [];

    public void SetState(object? state)
    {
        // (version, shape, dtype, is_fortran, raw bytes)
        if (state is not object?[] { Length: 5 } s || s[1] is not object?[] shape || s[2] is not NumpyDType dtype || s[3] is not bool fortran)
            throw new InvalidDataException("numpy array state is not (version, shape, dtype, fortran, data)");
        if (s[4] is not byte[] data)
            throw new InvalidDataException("numpy object arrays are not supported (only numeric data)");
        if (shape.Length > 64) throw new InvalidDataException($"numpy array with {shape.Length} dimensions; at most 64 expected");
        _shape = shape.Select(v => v is long l && l >= 0 ? l : throw new InvalidDataException("numpy shape must hold integers")).ToArray();
        (_dtype, _fortran, _data) = (dtype, fortran, data);
    }

    public torch.Tensor ToTensor()
    {
        var descr = _dtype?.Descr ?? throw new InvalidDataException("numpy array without state");
        var type = TensorDTypes.FromNumpy(descr)
                   ?? throw new InvalidDataException($"numpy dtype '{descr}' is not supported (supported: {TensorDTypes.SupportedNumpy})");
        var numel = _shape.Aggregate(1L, (a, b) => checked(a * b));
        if (_data.LongLength != checked(numel * TensorDTypes.Size(type)))
            throw new InvalidDataException($"numpy array of shape ({string.Join(", ", _shape)}) has {_data.Length} bytes");
        var flat = torch.empty(numel, dtype: type);
        _data.CopyTo(flat.bytes);
        if (!_fortran) return flat.reshape(_shape);
        var dims = Enumerable.Range(0, _shape.Length).Reverse().Select(d => (long)d).ToArray();
        return flat.reshape(_shape.Reverse().ToArray()).permute(dims).contiguous();
    }
}

/// <summary>Builders for the NumPy globals: pure decoders of pickled bytes.</summary>
internal static class NumpyBuilders
{
    public static NumpyDType DType(object?[] args) =>
        args is [string kind, ..] && kind.Length is >= 2 and <= 3
            ? new NumpyDType(kind)
            : throw new InvalidDataException("numpy.dtype expects ('<kind><size>', align, copy)");

    public static NumpyArray Reconstruct(object?[] args) =>
        args is [NumpyArrayClass, ..] ? new NumpyArray() : throw new InvalidDataException("_reconstruct is only allowed for numpy.ndarray");

    /// <summary>numpy.core.multiarray.scalar(dtype, bytes) → long, double or bool.</summary>
    public static object Scalar(object?[] args)
    {
        if (args is not [NumpyDType dtype, byte[] bytes])
            throw new InvalidDataException("numpy scalar expects (dtype, bytes)");
        if (dtype.Descr[0] == '>') throw new InvalidDataException($"big-endian numpy scalar '{dtype.Descr}' is not supported");
        ReadOnlySpan<byte> b = bytes;
        object? value = (dtype.Descr[1..], b.Length) switch
        {
            ("f8", 8) => BinaryPrimitives.ReadDoubleLittleEndian(b),
            ("f4", 4) => (double)BinaryPrimitives.ReadSingleLittleEndian(b),
            ("f2", 2) => (double)BinaryPrimitives.ReadHalfLittleEndian(b),
            ("i8", 8) => BinaryPrimitives.ReadInt64LittleEndian(b),
            ("i4", 4) => (long)BinaryPrimitives.ReadInt32LittleEndian(b),
            ("i2", 2) => (long)BinaryPrimitives.ReadInt16LittleEndian(b),
            ("i1", 1) => (long)(sbyte)b[0],
            ("u8", 8) => checked((long)BinaryPrimitives.ReadUInt64LittleEndian(b)),
            ("u4", 4) => (long)BinaryPrimitives.ReadUInt32LittleEndian(b),
            ("u2", 2) => (long)BinaryPrimitives.ReadUInt16LittleEndian(b),
            ("u1", 1) => (long)b[0],
            ("b1", 1) => b[0] != 0,
            _ => null,
        };
        return value ?? throw new InvalidDataException($"numpy scalar of dtype '{dtype.Descr}' with {b.Length} bytes is not supported");
    }
}

using System.Buffers.Binary;
using System.Text;

namespace VimDense.Checkpoints.Pickle;

/// <summary>
/// Emits the pickle opcodes (protocol 2, torch.save's default) that a state dict needs and nothing more: the
/// counterpart of <see cref="PickleReader"/>. Integers are written as CPython writes them (BININT1, BININT2, BININT,
/// LONG1), strings as BINUNICODE, and only the globals a <c>weights_only=True</c> load accepts are named by
/// <see cref="TorchCheckpointWriter"/>. No memo is written: every value is written once, so nothing is fetched back.
/// </summary>
internal sealed class PickleWriter
{
    private readonly MemoryStream _bytes = new();

    public PickleWriter Proto()
    {
        _bytes.WriteByte(0x80);
        _bytes.WriteByte(2);
        return this;
    }

    public PickleWriter Stop() => Op((byte)'.');
    public PickleWriter Mark() => Op((byte)'(');
    public PickleWriter Tuple() => Op((byte)'t');
    public PickleWriter EmptyTuple() => Op((byte)')');
    public PickleWriter SetItems() => Op((byte)'u');
    public PickleWriter Reduce() => Op((byte)'R');
    public PickleWriter BinPersId() => Op((byte)'Q');
    public PickleWriter Bool(bool value) => Op(value ? (byte)0x88 : (byte)0x89);

    /// <summary>GLOBAL: "module\nname\n" (ASCII, as CPython's protocol-2 pickler writes it).</summary>
    public PickleWriter Global(string module, string name)
    {
        Op((byte)'c');
        _bytes.Write(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));
        return this;
    }

    /// <summary>BINUNICODE: a 4-byte little-endian length and the UTF-8 bytes.</summary>
    public PickleWriter Str(string text)
    {
        var utf8 = Encoding.UTF8.GetBytes(text);
        Op((byte)'X');
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, utf8.Length);
        _bytes.Write(length);
        _bytes.Write(utf8);
        return this;
    }

    /// <summary>The smallest of BININT1 (0..255), BININT2 (..65535), BININT (signed 32 bits) and LONG1, as CPython chooses.</summary>
    public PickleWriter Int(long value)
    {
        switch (value)
        {
            case >= 0 and <= byte.MaxValue:
                Op((byte)'K');
                _bytes.WriteByte((byte)value);
                break;
            case >= 0 and <= ushort.MaxValue:
                Op((byte)'M');
                Span<byte> two = stackalloc byte[2];
                BinaryPrimitives.WriteUInt16LittleEndian(two, (ushort)value);
                _bytes.Write(two);
                break;
            case >= int.MinValue and <= int.MaxValue:
                Op((byte)'J');
                Span<byte> four = stackalloc byte[4];
                BinaryPrimitives.WriteInt32LittleEndian(four, (int)value);
                _bytes.Write(four);
                break;
            default:
                // LONG1: the shortest two's-complement little-endian form (CPython's encode_long).
                var bytes = new System.Numerics.BigInteger(value).ToByteArray();
                Op(0x8a);
                _bytes.WriteByte((byte)bytes.Length);
                _bytes.Write(bytes);
                break;
        }
        return this;
    }

    /// <summary>A tuple of integers (sizes, strides) with the short tuple opcodes CPython uses for up to three items.</summary>
    public PickleWriter IntTuple(IReadOnlyList<long> values)
    {
        if (values.Count == 0) return EmptyTuple();
        if (values.Count > 3) Mark();
        foreach (var v in values) Int(v);
        return values.Count switch
        {
            1 => Op(0x85), // TUPLE1
            2 => Op(0x86), // TUPLE2
            3 => Op(0x87), // TUPLE3
            _ => Tuple(),
        };
    }

    public byte[] ToArray() => _bytes.ToArray();

    private PickleWriter Op(byte opcode)
    {
        _bytes.WriteByte(opcode);
        return this;
    }
}

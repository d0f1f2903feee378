using System.Buffers.Binary;
using System.Text;

namespace VimDense.Tests.Checkpoints;

/// <summary>
/// Emits pickle opcodes byte by byte, so tests can craft exactly the pickles they need (including
/// hostile ones) without Python.
/// </summary>
internal sealed class PickleBuilder
{
    private readonly MemoryStream _bytes = new();

    public PickleBuilder Op(byte opcode) { _bytes.WriteByte(opcode); return this; }
    public PickleBuilder Raw(params byte[] bytes) { _bytes.Write(bytes); return this; }

    public PickleBuilder Proto(byte version = 2) => Op(0x80).Raw(version);
    public PickleBuilder Stop() => Op((byte)'.');
    public PickleBuilder Mark() => Op((byte)'(');
    public PickleBuilder EmptyDict() => Op((byte)'}');
    public PickleBuilder EmptyList() => Op((byte)']');
    public PickleBuilder EmptyTuple() => Op((byte)')');
    public PickleBuilder Tuple() => Op((byte)'t');
    public PickleBuilder Tuple3() => Op(0x87);
    public PickleBuilder SetItem() => Op((byte)'s');
    public PickleBuilder SetItems() => Op((byte)'u');
    public PickleBuilder Appends() => Op((byte)'e');
    public PickleBuilder Reduce() => Op((byte)'R');
    public PickleBuilder NewObj() => Op(0x81);
    public PickleBuilder Build() => Op((byte)'b');
    public PickleBuilder BinPersId() => Op((byte)'Q');
    public PickleBuilder None() => Op((byte)'N');
    public PickleBuilder Bool(bool value) => Op(value ? (byte)0x88 : (byte)0x89);
    public PickleBuilder Put(byte index) => Op((byte)'q').Raw(index);
    public PickleBuilder Get(byte index) => Op((byte)'h').Raw(index);

    public PickleBuilder Global(string module, string name) =>
        Op((byte)'c').Raw(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));

    public PickleBuilder StackGlobal(string module, string name) => Str(module).Str(name).Op(0x93);

    public PickleBuilder Str(string text)
    {
        var utf8 = Encoding.UTF8.GetBytes(text);
        Op((byte)'X');
        var length = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, utf8.Length);
        return Raw(length).Raw(utf8);
    }

    public PickleBuilder Int(long value)
    {
        if (value is >= 0 and < 256) return Op((byte)'K').Raw((byte)value);
        if (value is >= int.MinValue and <= int.MaxValue)
        {
            var b = new byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(b, (int)value);
            return Op((byte)'J').Raw(b);
        }
        var l = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(l, value);
        return Op(0x8a).Raw(8).Raw(l); // LONG1
    }

    public PickleBuilder Float(double value)
    {
        var b = new byte[8];
        BinaryPrimitives.WriteDoubleBigEndian(b, value);
        return Op((byte)'G').Raw(b);
    }

    /// <summary>A tuple of integers, as torch.save writes sizes and strides.</summary>
    public PickleBuilder IntTuple(IEnumerable<long> values)
    {
        Mark();
        foreach (var v in values) Int(v);
        return Tuple();
    }

    public byte[] ToArray() => _bytes.ToArray();
}

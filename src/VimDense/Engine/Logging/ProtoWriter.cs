namespace VimDense.Engine.Logging;

/// <summary>The few protobuf wire-format encodings TensorBoard events need (varint, fixed64, fixed32, length-delimited).</summary>
public sealed class ProtoWriter
{
    private readonly MemoryStream buffer = new();

    public void Varint(int field, ulong value)
    {
        Tag(field, 0);
        RawVarint(value);
    }

    public void Double(int field, double value)
    {
        Tag(field, 1);
        buffer.Write(BitConverter.GetBytes(value));
    }

    public void Float(int field, float value)
    {
        Tag(field, 5);
        buffer.Write(BitConverter.GetBytes(value));
    }

    public void Bytes(int field, byte[] value)
    {
        Tag(field, 2);
        RawVarint((ulong)value.Length);
        buffer.Write(value);
    }

    public byte[] ToArray() => buffer.ToArray();

    private void Tag(int field, int wireType) => RawVarint((ulong)((field << 3) | wireType));

    private void RawVarint(ulong value)
    {
        while (value >= 0x80)
        {
            buffer.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        buffer.WriteByte((byte)value);
    }
}

using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace VimDense.IO;

/// <summary>
/// The CRC-32 of zip records (polynomial 0xEDB88320), slicing-by-8. ZipArchive does not check it when
/// reading stored records, so without this a flipped byte in a checkpoint would load as a wrong weight.
/// </summary>
internal sealed class ZipCrc32
{
    // Eight 256-entry tables back to back: table k at [k * 256].
    private static readonly uint[] Table = BuildTable();
    private uint _state = 0xFFFFFFFF;

    public uint Value => ~_state;

    public void Update(ReadOnlySpan<byte> data)
    {
        var crc = _state;
        // Indices are always < 8 * 256 (a byte plus a table offset), so bounds checks can be skipped.
        ref var t = ref MemoryMarshal.GetArrayDataReference(Table);
        while (data.Length >= 8)
        {
            var word = BinaryPrimitives.ReadUInt64LittleEndian(data);
            var one = (uint)word ^ crc;
            var two = (uint)(word >> 32);
            crc = Unsafe.Add(ref t, 7 * 256 + (int)(one & 0xFF)) ^ Unsafe.Add(ref t, 6 * 256 + (int)((one >> 8) & 0xFF))
                  ^ Unsafe.Add(ref t, 5 * 256 + (int)((one >> 16) & 0xFF)) ^ Unsafe.Add(ref t, 4 * 256 + (int)(one >> 24))
                  ^ Unsafe.Add(ref t, 3 * 256 + (int)(two & 0xFF)) ^ Unsafe.Add(ref t, 2 * 256 + (int)((two >> 8) & 0xFF))
                  ^ Unsafe.Add(ref t, 256 + (int)((two >> 16) & 0xFF)) ^ Unsafe.Add(ref t, (int)(two >> 24));
            data = data[8..];
        }
        foreach (var b in data) crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        _state = crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[8 * 256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i;
            for (var bit = 0; bit < 8; bit++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        for (var k = 1; k < 8; k++)
            for (var i = 0; i < 256; i++)
                table[k * 256 + i] = table[(table[(k - 1) * 256 + i] & 0xFF)] ^ (table[(k - 1) * 256 + i] >> 8);
        return table;
    }
}

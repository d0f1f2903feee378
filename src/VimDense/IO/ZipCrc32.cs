namespace VimDense.IO;

/// <summary>
/// The CRC-32 of zip records (polynomial 0xEDB88320), slicing-by-8. ZipArchive does not check it when
/// reading stored records, so without this a flipped byte in a checkpoint would load as a wrong weight.
/// </summary>
internal sealed class ZipCrc32
{
    private static readonly uint[][] Tables = BuildTables();
    private uint _state = 0xFFFFFFFF;

    public uint Value => ~_state;

    public void Update(ReadOnlySpan<byte> data)
    {
        var crc = _state;
        var t = Tables;
        while (data.Length >= 8)
        {
            var one = BitConverter.ToUInt32(data) ^ crc;
            var two = BitConverter.ToUInt32(data[4..]);
            crc = t[7][one & 0xFF] ^ t[6][(one >> 8) & 0xFF] ^ t[5][(one >> 16) & 0xFF] ^ t[4][one >> 24]
                  ^ t[3][two & 0xFF] ^ t[2][(two >> 8) & 0xFF] ^ t[1][(two >> 16) & 0xFF] ^ t[0][two >> 24];
            data = data[8..];
        }
        foreach (var b in data) crc = t[0][(crc ^ b) & 0xFF] ^ (crc >> 8);
        _state = crc;
    }

    private static uint[][] BuildTables()
    {
        var tables = new uint[8][];
        for (var k = 0; k < 8; k++) tables[k] = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i;
            for (var bit = 0; bit < 8; bit++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            tables[0][i] = c;
        }
        for (var i = 0; i < 256; i++)
            for (var k = 1; k < 8; k++)
                tables[k][i] = tables[0][tables[k - 1][i] & 0xFF] ^ (tables[k - 1][i] >> 8);
        return tables;
    }
}

using System.Buffers.Binary;

namespace VimDense.Datasets.Transforms;

/// <summary>
/// The format and size of an image read from its first bytes, before anything is decoded: the file type comes from
/// its content (magic bytes), never its name, and a pixel limit can be checked without allocating the image.
/// JPEG (size from its SOFn frame header), PNG (IHDR) and BMP are the formats VimDense reads.
/// </summary>
public readonly record struct ImageHeader(string Format, long Width, long Height)
{
    public long Pixels => Width * Height;

    /// <summary>The header of <paramref name="bytes"/>, or an error naming what was wrong (unknown format, cut header).</summary>
    public static ImageHeader Read(ReadOnlySpan<byte> bytes, string path)
    {
        if (bytes.Length >= 24 && bytes[..8].SequenceEqual((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            if (!bytes.Slice(12, 4).SequenceEqual("IHDR"u8)) throw new BadSampleException($"{path}: PNG without an IHDR header chunk");
            return new ImageHeader("PNG", BinaryPrimitives.ReadUInt32BigEndian(bytes[16..]), BinaryPrimitives.ReadUInt32BigEndian(bytes[20..]));
        }
        if (bytes.Length >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF) return Jpeg(bytes, path);
        if (bytes.Length >= 26 && bytes[0] == (byte)'B' && bytes[1] == (byte)'M')
            return new ImageHeader("BMP", Math.Abs((long)BinaryPrimitives.ReadInt32LittleEndian(bytes[18..])),
                Math.Abs((long)BinaryPrimitives.ReadInt32LittleEndian(bytes[22..])));
        throw new BadSampleException($"{path}: not a JPEG, PNG or BMP image (judged by its content, not its name)");
    }

    /// <summary>Walks the JPEG marker segments up to the first start-of-frame, which holds the size.</summary>
    private static ImageHeader Jpeg(ReadOnlySpan<byte> bytes, string path)
    {
        var at = 2;
        while (at + 4 <= bytes.Length)
        {
            if (bytes[at] != 0xFF) throw new BadSampleException($"{path}: corrupt JPEG (no marker at byte {at})");
            var marker = bytes[at + 1];
            if (marker == 0xFF) { at++; continue; } // fill byte
            if (marker is 0xD8 or 0x01 or (>= 0xD0 and <= 0xD7)) { at += 2; continue; } // markers without a length
            var length = BinaryPrimitives.ReadUInt16BigEndian(bytes[(at + 2)..]);
            if (length < 2) throw new BadSampleException($"{path}: corrupt JPEG (segment length {length} at byte {at})");
            // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC): precision, height, width.
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                if (at + 9 > bytes.Length) break;
                return new ImageHeader("JPEG", BinaryPrimitives.ReadUInt16BigEndian(bytes[(at + 7)..]), BinaryPrimitives.ReadUInt16BigEndian(bytes[(at + 5)..]));
            }
            if (marker is 0xDA or 0xD9) break; // scan data or end before any frame header
            at += 2 + length;
        }
        throw new BadSampleException($"{path}: corrupt JPEG (no frame header with the image size)");
    }
}

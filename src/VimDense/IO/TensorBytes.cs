using TorchSharp;

namespace VimDense.IO;

/// <summary>
/// Moves raw little-endian tensor bytes between streams and CPU tensors in chunks, so that tensors
/// larger than a span (2 GiB) and files larger than memory buffers work without an extra copy.
/// </summary>
internal static class TensorBytes
{
    private const long ChunkBytes = 64L << 20;

    /// <summary>
    /// A new CPU tensor of <paramref name="numel"/> elements filled from the stream; each chunk read is also
    /// added to <paramref name="crc"/> while it is still in cache.
    /// </summary>
    public static torch.Tensor ReadFlat(Stream stream, torch.ScalarType type, long numel, int elementSize,
                                        ZipCrc32? crc = null)
    {
        var flat = torch.empty(numel, dtype: type);
        try
        {
            var perChunk = Math.Max(1, ChunkBytes / elementSize);
            for (long start = 0; start < numel; start += perChunk)
            {
                using var part = flat.narrow(0, start, Math.Min(perChunk, numel - start));
                var span = part.bytes;
                stream.ReadExactly(span);
                crc?.Update(span);
            }
            return flat;
        }
        catch
        {
            flat.Dispose();
            throw;
        }
    }

    /// <summary>Writes the tensor's elements in row-major order (any layout or device), adding them to <paramref name="crc"/> when given.</summary>
    public static void Write(Stream stream, torch.Tensor tensor, ZipCrc32? crc = null)
    {
        using var scope = torch.NewDisposeScope();
        var flat = tensor.detach().cpu().contiguous().reshape(-1);
        var numel = flat.numel();
        var perChunk = Math.Max(1, ChunkBytes / flat.element_size());
        for (long start = 0; start < numel; start += perChunk)
        {
            var span = flat.narrow(0, start, Math.Min(perChunk, numel - start)).bytes;
            crc?.Update(span);
            stream.Write(span);
        }
    }
}

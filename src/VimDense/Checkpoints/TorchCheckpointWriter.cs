using System.Buffers.Binary;
using System.Text;
using VimDense.Checkpoints.Pickle;
using VimDense.IO;
using static TorchSharp.torch;

namespace VimDense.Checkpoints;

/// <summary>
/// Writes a state dict as torch.save does (the zip layout of PyTorch ≥ 1.6), so that
/// <c>torch.load(path, weights_only=True)</c> returns an OrderedDict of tensors: <c>archive/data.pkl</c> (protocol 2:
/// <c>collections.OrderedDict</c> of <c>torch._utils._rebuild_tensor_v2</c> over persistent storage ids),
/// <c>archive/byteorder</c>, one <c>archive/data/N</c> record per tensor and <c>archive/version</c>. Every record is
/// stored uncompressed with its data 64-byte aligned (PyTorch's writer pads the same way, and its reader maps storages
/// in place); each tensor is written contiguous as its own storage (views are materialised, so a reader never
/// depends on another tensor's memory). The counterpart of <see cref="TorchCheckpoint"/>'s reader; written atomically.
/// </summary>
public static class TorchCheckpointWriter
{
    private const string Archive = "archive";
    private const int Alignment = 64;
    // Classic zip fields are 32-bit; model exports here are far smaller, and safetensors has no such limit.
    private const long MaxZipBytes = uint.MaxValue - (1L << 20);

    /// <summary>Writes <paramref name="stateDict"/> (in its order) to <paramref name="path"/> through a temporary file.</summary>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> stateDict)
    {
        var tensors = stateDict.ToList();
        var total = tensors.Sum(kv => checked(kv.Value.numel() * TensorDTypes.Size(kv.Value.dtype)));
        if (total > MaxZipBytes)
            throw new UserInputException($"{path}: {total} bytes of tensors are more than a .pth without zip64 holds here; write a .safetensors file instead");
        if (tensors.Count > ushort.MaxValue - 3)
            throw new UserInputException($"{path}: {tensors.Count} tensors are more records than a .pth without zip64 holds here; write a .safetensors file instead");
        var pickle = Pickle(tensors);
        AtomicFile.Write(path, stream =>
        {
            var zip = new StoredZipWriter(stream);
            zip.Add($"{Archive}/data.pkl", pickle);
            zip.Add($"{Archive}/byteorder", "little"u8.ToArray());
            for (var i = 0; i < tensors.Count; i++)
            {
                var tensor = tensors[i].Value;
                zip.Add($"{Archive}/data/{i}", checked(tensor.numel() * TensorDTypes.Size(tensor.dtype)), (s, crc) => TensorBytes.Write(s, tensor, crc));
            }
            zip.Add($"{Archive}/version", "3\n"u8.ToArray());
            zip.Finish();
        });
    }

    /// <summary>
    /// The pickle of the state dict: OrderedDict() then SETITEMS of name → _rebuild_tensor_v2(persistent id, offset 0,
    /// size, contiguous stride, requires_grad False, OrderedDict() of backward hooks).
    /// </summary>
    internal static byte[] Pickle(IReadOnlyList<KeyValuePair<string, Tensor>> tensors)
    {
        var p = new PickleWriter().Proto();
        p.Global("collections", "OrderedDict").EmptyTuple().Reduce();
        if (tensors.Count > 0)
        {
            p.Mark();
            for (var i = 0; i < tensors.Count; i++)
            {
                var (name, tensor) = (tensors[i].Key, tensors[i].Value);
                p.Str(name);
                p.Global("torch._utils", "_rebuild_tensor_v2").Mark();
                p.Mark().Str("storage").Global("torch", StorageClassName(tensor.dtype)).Str(i.ToString(System.Globalization.CultureInfo.InvariantCulture))
                    .Str("cpu").Int(tensor.numel()).Tuple().BinPersId();
                p.Int(0).IntTuple(tensor.shape).IntTuple(ContiguousStrides(tensor.shape)).Bool(false);
                p.Global("collections", "OrderedDict").EmptyTuple().Reduce();
                p.Tuple().Reduce();
            }
            p.SetItems();
        }
        return p.Stop().ToArray();
    }

    private static string StorageClassName(ScalarType type) => TensorDTypes.ToTorchStorage(type);

    private static long[] ContiguousStrides(long[] shape)
    {
        var strides = new long[shape.Length];
        long step = 1;
        for (var d = shape.Length - 1; d >= 0; d--)
        {
            strides[d] = step;
            step *= Math.Max(1, shape[d]);
        }
        return strides;
    }

    /// <summary>
    /// A zip of STORED records with known sizes: local header (CRC patched after the data is streamed, so nothing is
    /// buffered twice), data aligned by padding the header's extra field ("FB" id, as PyTorch's writer), then the
    /// central directory. The stream must be seekable (a file).
    /// </summary>
    private sealed class StoredZipWriter(Stream stream)
    {
        private readonly List<(string Name, uint Crc, uint Size, uint Offset)> _entries = [];
        private const ushort DosDate = (0 << 9) | (1 << 5) | 1; // 1980-01-01, the zip epoch: exports are byte-reproducible

        public void Add(string name, byte[] data) => Add(name, data.Length, (s, crc) =>
        {
            crc.Update(data);
            s.Write(data);
        });

        public void Add(string name, long size, Action<Stream, ZipCrc32> writeData)
        {
            var nameBytes = Encoding.UTF8.GetBytes(name);
            var offset = stream.Position;
            var unpadded = offset + 30 + nameBytes.Length + 4;
            var padding = (int)((Alignment - unpadded % Alignment) % Alignment);
            var header = new byte[30 + nameBytes.Length + 4 + padding];
            var h = header.AsSpan();
            BinaryPrimitives.WriteUInt32LittleEndian(h, 0x04034b50);
            BinaryPrimitives.WriteUInt16LittleEndian(h[4..], 20); // version needed: 2.0
            BinaryPrimitives.WriteUInt16LittleEndian(h[12..], DosDate);
            BinaryPrimitives.WriteUInt32LittleEndian(h[18..], (uint)size);
            BinaryPrimitives.WriteUInt32LittleEndian(h[22..], (uint)size);
            BinaryPrimitives.WriteUInt16LittleEndian(h[26..], (ushort)nameBytes.Length);
            BinaryPrimitives.WriteUInt16LittleEndian(h[28..], (ushort)(4 + padding));
            nameBytes.CopyTo(h[30..]);
            BinaryPrimitives.WriteUInt16LittleEndian(h[(30 + nameBytes.Length)..], 0x4246); // "FB"
            BinaryPrimitives.WriteUInt16LittleEndian(h[(32 + nameBytes.Length)..], (ushort)padding);
            stream.Write(header);
            var crc = new ZipCrc32();
            var start = stream.Position;
            writeData(stream, crc);
            if (stream.Position - start != size) throw new InvalidOperationException($"{name}: wrote {stream.Position - start} bytes, expected {size}");
            var end = stream.Position;
            stream.Position = offset + 14;
            Span<byte> crcBytes = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(crcBytes, crc.Value);
            stream.Write(crcBytes);
            stream.Position = end;
            _entries.Add((name, crc.Value, (uint)size, (uint)offset));
        }

        public void Finish()
        {
            var directoryStart = stream.Position;
            foreach (var (name, crc, size, offset) in _entries)
            {
                var nameBytes = Encoding.UTF8.GetBytes(name);
                var entry = new byte[46 + nameBytes.Length];
                var e = entry.AsSpan();
                BinaryPrimitives.WriteUInt32LittleEndian(e, 0x02014b50);
                BinaryPrimitives.WriteUInt16LittleEndian(e[4..], 20); // made by: 2.0, MS-DOS attributes
                BinaryPrimitives.WriteUInt16LittleEndian(e[6..], 20);
                BinaryPrimitives.WriteUInt16LittleEndian(e[14..], DosDate);
                BinaryPrimitives.WriteUInt32LittleEndian(e[16..], crc);
                BinaryPrimitives.WriteUInt32LittleEndian(e[20..], size);
                BinaryPrimitives.WriteUInt32LittleEndian(e[24..], size);
                BinaryPrimitives.WriteUInt16LittleEndian(e[28..], (ushort)nameBytes.Length);
                BinaryPrimitives.WriteUInt32LittleEndian(e[42..], offset);
                nameBytes.CopyTo(e[46..]);
                stream.Write(entry);
            }
            var directorySize = stream.Position - directoryStart;
            var end = new byte[22];
            var z = end.AsSpan();
            BinaryPrimitives.WriteUInt32LittleEndian(z, 0x06054b50);
            BinaryPrimitives.WriteUInt16LittleEndian(z[8..], (ushort)_entries.Count);
            BinaryPrimitives.WriteUInt16LittleEndian(z[10..], (ushort)_entries.Count);
            BinaryPrimitives.WriteUInt32LittleEndian(z[12..], (uint)directorySize);
            BinaryPrimitives.WriteUInt32LittleEndian(z[16..], (uint)directoryStart);
            stream.Write(end);
        }
    }
}

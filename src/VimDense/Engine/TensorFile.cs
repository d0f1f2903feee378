using System.Text;
using Newtonsoft.Json.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace VimDense.Engine;

/// <summary>
/// Training checkpoints on disk, in the safetensors layout (8-byte little-endian header length, a JSON header
/// naming each tensor's dtype, shape and byte range, string metadata under "__metadata__", then raw bytes).
/// Writes are atomic: a temporary file in the same folder is flushed and renamed over the target, so a crash
/// never leaves a half-written checkpoint behind.
/// </summary>
public static class TensorFile
{
    private static readonly Dictionary<ScalarType, string> DTypeNames = new()
    {
        [ScalarType.Float32] = "F32", [ScalarType.Float64] = "F64", [ScalarType.Float16] = "F16", [ScalarType.BFloat16] = "BF16",
        [ScalarType.Int64] = "I64", [ScalarType.Int32] = "I32", [ScalarType.Int16] = "I16", [ScalarType.Int8] = "I8",
        [ScalarType.Byte] = "U8", [ScalarType.Bool] = "BOOL",
    };

    public static void Write(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        var header = new JObject { ["__metadata__"] = JObject.FromObject(metadata) };
        var ordered = tensors.OrderBy(t => t.Key, StringComparer.Ordinal).ToList();
        long offset = 0;
        foreach (var (name, t) in ordered)
        {
            if (!DTypeNames.TryGetValue(t.dtype, out var dtype)) throw new NotSupportedException($"tensor '{name}': dtype {t.dtype} cannot be saved");
            var size = t.numel() * t.ElementSize;
            header[name] = new JObject { ["dtype"] = dtype, ["shape"] = new JArray(t.shape), ["data_offsets"] = new JArray(offset, offset + size) };
            offset += size;
        }
        var headerBytes = Encoding.UTF8.GetBytes(header.ToString(Newtonsoft.Json.Formatting.None));
        var padded = (headerBytes.Length + 7) / 8 * 8;
        Array.Resize(ref headerBytes, padded);
        for (var i = Array.IndexOf(headerBytes, (byte)0); i >= 0 && i < padded; i++) headerBytes[i] = (byte)' ';

        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write))
        {
            stream.Write(BitConverter.GetBytes((ulong)padded));
            stream.Write(headerBytes);
            foreach (var (_, t) in ordered)
            {
                using var cpu = t.detach().cpu().contiguous();
                stream.Write(cpu.bytes);
            }
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }

    public static (Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata) Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"checkpoint {path} not found");
        using var stream = File.OpenRead(path);
        var lengthBytes = new byte[8];
        stream.ReadExactly(lengthBytes);
        var headerLength = BitConverter.ToUInt64(lengthBytes);
        if (headerLength > (ulong)stream.Length) throw new InvalidDataException($"{path}: not a checkpoint (bad header length)");
        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        var header = JObject.Parse(Encoding.UTF8.GetString(headerBytes));
        var dataStart = 8 + (long)headerLength;
        var metadata = (header["__metadata__"] as JObject)?.Properties().ToDictionary(p => p.Name, p => (string)p.Value!) ?? [];
        var tensors = new Dictionary<string, Tensor>();
        var byName = DTypeNames.ToDictionary(kv => kv.Value, kv => kv.Key);
        foreach (var property in header.Properties().Where(p => p.Name != "__metadata__"))
        {
            var entry = (JObject)property.Value;
            var dtype = byName.TryGetValue((string)entry["dtype"]!, out var d) ? d
                : throw new InvalidDataException($"{path}: tensor '{property.Name}' has unsupported dtype {entry["dtype"]}");
            var shape = entry["shape"]!.Select(x => (long)x).ToArray();
            var begin = (long)entry["data_offsets"]![0]!;
            var end = (long)entry["data_offsets"]![1]!;
            var t = empty(shape, dtype);
            if (end - begin != t.numel() * t.ElementSize) throw new InvalidDataException($"{path}: tensor '{property.Name}' has a wrong byte range");
            var buffer = new byte[end - begin];
            stream.Seek(dataStart + begin, SeekOrigin.Begin);
            stream.ReadExactly(buffer);
            t.bytes = buffer;
            tensors[property.Name] = t;
        }
        return (tensors, metadata);
    }
}

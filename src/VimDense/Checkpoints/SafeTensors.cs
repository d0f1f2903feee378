using System.Buffers.Binary;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using VimDense.IO;
using static TorchSharp.torch;

namespace VimDense.Checkpoints;

/// <summary>
/// The safetensors format: an 8-byte little-endian header length, a JSON header mapping each name to
/// its dtype, shape and [begin, end) byte range in the data section, an optional <c>__metadata__</c>
/// string map, then the raw little-endian tensor bytes.
/// </summary>
public static class SafeTensors
{
    private const string MetadataKey = "__metadata__";
    private const long MaxHeaderBytes = 100L << 20;

    /// <summary>All tensors of the file, in header order, as CPU tensors.</summary>
    public static Dictionary<string, Tensor> Load(string path) => WithFileErrors(path, () =>
    {
        using var file = OpenRead(path);
        var (header, dataStart) = ReadHeader(file, path);
        var tensors = new Dictionary<string, Tensor>();
        try
        {
            foreach (var (name, value) in header)
            {
                if (name == MetadataKey) continue;
                tensors[name] = ReadTensor(file, path, dataStart, name, value as JObject
                    ?? throw new InvalidDataException($"{path}: header entry '{name}' is not an object"));
            }
            return tensors;
        }
        catch
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw;
        }
    });

    /// <summary>The <c>__metadata__</c> string map of the file (empty when it has none).</summary>
    public static Dictionary<string, string> ReadMetadata(string path)
    {
        using var file = OpenRead(path);
        var (header, _) = ReadHeader(file, path);
        if (header[MetadataKey] is not JObject metadata) return [];
        return metadata.Properties().ToDictionary(p => p.Name, p => p.Value.Type == JTokenType.String
            ? (string)p.Value! : throw new InvalidDataException($"{path}: __metadata__ values must be strings"));
    }

    /// <summary>Writes the tensors in the given order (any device or layout), through a temporary file.</summary>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var header = new JObject();
        if (metadata is { Count: > 0 }) header[MetadataKey] = JObject.FromObject(metadata);
        long offset = 0;
        foreach (var (name, tensor) in tensors)
        {
            if (name == MetadataKey) throw new ArgumentException($"a tensor may not be named {MetadataKey}");
            var bytes = checked(tensor.numel() * TensorDTypes.Size(tensor.dtype));
            header[name] = new JObject
            {
                ["dtype"] = TensorDTypes.ToSafeTensors(tensor.dtype),
                ["shape"] = new JArray(tensor.shape.Cast<object>().ToArray()),
                ["data_offsets"] = new JArray(offset, offset + bytes),
            };
            offset += bytes;
        }
        var json = System.Text.Encoding.UTF8.GetBytes(header.ToString(Formatting.None));
        // Pad the header with spaces so the data section starts 8-byte aligned, as the reference writer does.
        var padded = (json.Length + 7) / 8 * 8;
        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
            stream.Write(length);
            stream.Write(json);
            for (var i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
            foreach (var tensor in tensors.Values) TensorBytes.Write(stream, tensor);
        });
    }

    /// <summary>Arithmetic and stream failures on a broken file become one-line messages that name it.</summary>
    private static T WithFileErrors<T>(string path, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is OverflowException or EndOfStreamException or InvalidCastException or ArgumentException)
        {
            throw new InvalidDataException($"{path}: not a readable safetensors file: {e.Message.ReplaceLineEndings(" ")}", e);
        }
    }

    private static FileStream OpenRead(string path) => InputFile.OpenRead(path, "safetensors");

    private static (JObject Header, long DataStart) ReadHeader(FileStream file, string path)
    {
        Span<byte> prefix = stackalloc byte[8];
        if (file.Read(prefix) != 8) throw new InvalidDataException($"{path}: too short for a safetensors file (no 8-byte header length)");
        var length = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (length > (ulong)Math.Min(MaxHeaderBytes, file.Length - 8))
            throw new InvalidDataException($"{path}: safetensors header length {length} exceeds the file size or the 100 MB limit");
        var json = new byte[length];
        file.ReadExactly(json);
        try
        {
            var token = JToken.Parse(System.Text.Encoding.UTF8.GetString(json));
            return (token as JObject ?? throw new InvalidDataException("the header is not a JSON object"), 8 + (long)length);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: safetensors header is not valid JSON: {e.Message}", e);
        }
    }

    private static Tensor ReadTensor(FileStream file, string path, long dataStart, string name, JObject entry)
    {
        string Bad(string what) => $"{path}: tensor '{name}': {what}";
        var dtypeName = entry["dtype"]?.Type == JTokenType.String ? (string)entry["dtype"]! : throw new InvalidDataException(Bad("no dtype"));
        var dtype = TensorDTypes.FromSafeTensors(dtypeName)
                    ?? throw new InvalidDataException(Bad($"dtype {dtypeName} is not supported (supported: {TensorDTypes.SupportedSafeTensors})"));
        var shape = (entry["shape"] as JArray ?? throw new InvalidDataException(Bad("no shape")))
            .Select(v => v.Type == JTokenType.Integer && (long)v >= 0 ? (long)v : throw new InvalidDataException(Bad("shape must hold non-negative integers")))
            .ToArray();
        var offsets = entry["data_offsets"] as JArray;
        if (offsets is not { Count: 2 } || offsets.Any(v => v.Type != JTokenType.Integer))
            throw new InvalidDataException(Bad("data_offsets must be [begin, end]"));
        var (begin, end) = ((long)offsets[0], (long)offsets[1]);
        var elementSize = TensorDTypes.Size(dtype);
        var numel = shape.Aggregate(1L, (a, b) => checked(a * b));
        if (begin < 0 || end < begin || end - begin != checked(numel * elementSize))
            throw new InvalidDataException(Bad($"data_offsets [{begin}, {end}] do not hold {numel} x {elementSize} bytes"));
        if (dataStart + end > file.Length)
            throw new InvalidDataException(Bad($"data ends at byte {dataStart + end}, past the end of the file ({file.Length} bytes; truncated?)"));
        file.Position = dataStart + begin;
        using var flat = TensorBytes.ReadFlat(file, dtype, numel, elementSize);
        return flat.reshape(shape);
    }
}

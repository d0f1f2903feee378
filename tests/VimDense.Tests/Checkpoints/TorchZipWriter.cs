using System.IO.Compression;
using TorchSharp;

namespace VimDense.Tests.Checkpoints;

/// <summary>
/// Writes the torch.save zip layout (<c>name/data.pkl</c>, <c>name/data/&lt;key&gt;</c>, <c>name/version</c>)
/// around a hand-built pickle, and pickles tensors exactly as torch.save does (_rebuild_tensor_v2 with a
/// persistent id per storage), independently of the reader under test.
/// </summary>
internal sealed class TorchZipWriter
{
    private readonly Dictionary<string, byte[]> _storages = [];
    private readonly Dictionary<torch.Tensor, string> _keys = new(ReferenceEqualityComparer.Instance);

    public PickleBuilder Pickle { get; } = new PickleBuilder().Proto();

    private static string StorageClass(torch.ScalarType type) => type switch
    {
        torch.ScalarType.Float32 => "FloatStorage",
        torch.ScalarType.Float64 => "DoubleStorage",
        torch.ScalarType.Float16 => "HalfStorage",
        torch.ScalarType.BFloat16 => "BFloat16Storage",
        torch.ScalarType.Int64 => "LongStorage",
        torch.ScalarType.Int32 => "IntStorage",
        torch.ScalarType.Byte => "ByteStorage",
        torch.ScalarType.Bool => "BoolStorage",
        _ => throw new ArgumentException(type.ToString()),
    };

    /// <summary>Pickles a contiguous tensor with its own storage.</summary>
    public void Tensor(torch.Tensor tensor) =>
        View(tensor.contiguous().reshape(-1), 0, tensor.shape, ContiguousStrides(tensor.shape));

    /// <summary>
    /// Pickles a strided view of a flat storage tensor; views of the same <paramref name="storage"/> object
    /// share one storage record, as tensors sharing memory do in torch.save.
    /// </summary>
    public void View(torch.Tensor storage, long offset, long[] size, long[] stride)
    {
        if (!_keys.TryGetValue(storage, out var key))
        {
            key = _keys.Count.ToString();
            _keys[storage] = key;
            _storages[key] = storage.contiguous().bytes.ToArray();
        }
        var p = Pickle;
        p.Global("torch._utils", "_rebuild_tensor_v2").Mark();
        p.Mark().Str("storage").Global("torch", StorageClass(storage.dtype)).Str(key).Str("cpu").Int(storage.numel()).Tuple().BinPersId();
        p.Int(offset).IntTuple(size).IntTuple(stride).Bool(false);
        p.Global("collections", "OrderedDict").EmptyTuple().Reduce();
        p.Tuple().Reduce();
    }

    /// <summary>Starts an OrderedDict (state dicts are OrderedDicts); follow with Mark, items, SetItems.</summary>
    public void OrderedDict() => Pickle.Global("collections", "OrderedDict").EmptyTuple().Reduce();

    public void Save(string path, string archiveName = "archive", CompressionLevel storageCompression = CompressionLevel.NoCompression) =>
        WriteZip(path, archiveName, Pickle.Stop().ToArray(), _storages, storageCompression);

    /// <summary>
    /// The zip around the records; torch.save stores them uncompressed, <paramref name="storageCompression"/> lets a
    /// test deflate the storages as a hostile file would.
    /// </summary>
    public static void WriteZip(string path, string archiveName, byte[] pickle, IReadOnlyDictionary<string, byte[]> storages,
                                CompressionLevel storageCompression = CompressionLevel.NoCompression)
    {
        using var file = File.Create(path);
        using var zip = new ZipArchive(file, ZipArchiveMode.Create);
        void Add(string name, byte[] bytes, CompressionLevel level = CompressionLevel.NoCompression)
        {
            using var stream = zip.CreateEntry($"{archiveName}/{name}", level).Open();
            stream.Write(bytes);
        }
        Add("data.pkl", pickle);
        foreach (var (key, bytes) in storages) Add($"data/{key}", bytes, storageCompression);
        Add("version", "3\n"u8.ToArray());
    }

    private static long[] ContiguousStrides(long[] shape)
    {
        var strides = new long[shape.Length];
        long step = 1;
        for (var d = shape.Length - 1; d >= 0; d--) { strides[d] = step; step *= shape[d]; }
        return strides;
    }
}

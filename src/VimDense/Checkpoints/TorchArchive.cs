using System.IO.Compression;
using TorchSharp;
using VimDense.Checkpoints.Pickle;
using VimDense.IO;

namespace VimDense.Checkpoints;

/// <summary>
/// One PyTorch zip checkpoint (torch.save since 1.6): <c>&lt;name&gt;/data.pkl</c> holds the pickled
/// object graph and <c>&lt;name&gt;/data/&lt;key&gt;</c> the raw bytes of each storage. Storages are read
/// only when a tensor that uses them is materialised, and each at most once, so views that share a
/// storage share memory as they did in PyTorch.
/// </summary>
internal sealed class TorchArchive : IDisposable
{
    private const long MaxPickleBytes = 1L << 30;

    private readonly string _path;
    private readonly FileStream _file;
    private readonly ZipArchive _zip;
    private readonly string _prefix;
    private readonly Dictionary<string, StorageRef> _storageRefs = [];
    private readonly Dictionary<string, torch.Tensor> _storages = [];

    public TorchArchive(string path)
    {
        _path = path;
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: checkpoint file not found", path);
        _file = File.OpenRead(path);
        try
        {
            var magic = new byte[2];
            var got = _file.Read(magic);
            _file.Position = 0;
            if (got == 2 && magic[0] == 0x80 && magic[1] <= 5)
                throw new InvalidDataException($"{path}: legacy (pre-1.6) torch.save format is not supported; " +
                                               "re-save it with a newer PyTorch (zip format)");
            _zip = new ZipArchive(_file, ZipArchiveMode.Read);
            _prefix = FindPrefix();
            CheckByteOrder();
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            _file.Dispose();
            throw new InvalidDataException($"{path}: not a readable PyTorch zip checkpoint: {e.Message}", e);
        }
        catch
        {
            _file.Dispose();
            throw;
        }
    }

    /// <summary>The unpickled object graph, with <see cref="TensorRef"/> where tensors are.</summary>
    public object? ReadGraph()
    {
        var entry = _zip.GetEntry($"{_prefix}/data.pkl")!;
        return new PickleReader(ReadAll(entry), _path, PersistentLoad).Load();
    }

    /// <summary>The tensor a reference describes: a strided view of its (shared) storage.</summary>
    public torch.Tensor Materialize(TensorRef tensor)
    {
        var storage = Storage(tensor.Storage);
        CheckBounds(tensor);
        return storage.as_strided(tensor.Size, tensor.Stride, tensor.Offset);
    }

    public void Dispose()
    {
        // Views hold their own references to the storage memory; these handles are no longer needed.
        foreach (var storage in _storages.Values) storage.Dispose();
        _storages.Clear();
        _zip.Dispose();
        _file.Dispose();
    }

    private string FindPrefix()
    {
        var records = _zip.Entries
            .Where(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal) && e.FullName.Count(c => c == '/') == 1)
            .ToList();
        if (records.Count == 1) return records[0].FullName[..^"/data.pkl".Length];
        if (_zip.Entries.Any(e => e.FullName.EndsWith("/constants.pkl", StringComparison.Ordinal)))
            throw new InvalidDataException($"{_path}: this is a TorchScript archive (torch.jit.save), not a torch.save checkpoint");
        throw new InvalidDataException(records.Count == 0
            ? $"{_path}: zip file without a '<name>/data.pkl' record: not a torch.save checkpoint"
            : $"{_path}: zip file with {records.Count} '<name>/data.pkl' records; expected exactly one");
    }

    private void CheckByteOrder()
    {
        // Written since PyTorch 1.13.1 / 2.x; absent means little-endian.
        var entry = _zip.GetEntry($"{_prefix}/byteorder");
        if (entry is null) return;
        var order = System.Text.Encoding.ASCII.GetString(ReadAll(entry)).Trim();
        if (order != "little")
            throw new InvalidDataException($"{_path}: byte order '{order}' is not supported; expected 'little'");
    }

    /// <summary>torch.save's persistent ids: ('storage', storage class, key, location, element count).</summary>
    private object? PersistentLoad(object? pid)
    {
        if (pid is not object?[] { Length: 5 } t || t[0] is not "storage" || t[1] is not StorageClass type
            || t[2] is not string key || t[4] is not long numel || numel < 0)
            throw new InvalidDataException("persistent id is not ('storage', <Type>Storage, key, location, numel)");
        if (_storageRefs.TryGetValue(key, out var known))
        {
            if (known.Type != type.Type || known.Numel != numel)
                throw new InvalidDataException($"storage {key} is described twice with different types or sizes");
            return known;
        }
        return _storageRefs[key] = new StorageRef(key, type.Type, numel);
    }

    private torch.Tensor Storage(StorageRef storage)
    {
        if (_storages.TryGetValue(storage.Key, out var cached)) return cached;
        var name = $"{_prefix}/data/{storage.Key}";
        var entry = _zip.GetEntry(name)
                    ?? throw new InvalidDataException($"{_path}: storage record '{name}' is missing");
        var elementSize = TensorDTypes.Size(storage.Type);
        if (entry.Length != checked(storage.Numel * elementSize))
            throw new InvalidDataException($"{_path}: storage record '{name}' has {entry.Length} bytes; " +
                                           $"expected {storage.Numel} x {elementSize} ({storage.Type})");
        try
        {
            using var stream = entry.Open();
            var crc = new ZipCrc32();
            var flat = TensorBytes.ReadFlat(stream, storage.Type, storage.Numel, elementSize, crc);
            if (crc.Value != entry.Crc32)
            {
                flat.Dispose();
                throw new InvalidDataException($"CRC-32 {crc.Value:x8} does not match the recorded {entry.Crc32:x8} (corrupt file)");
            }
            return _storages[storage.Key] = flat;
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException)
        {
            throw new InvalidDataException($"{_path}: storage record '{name}' cannot be read: {e.Message}", e);
        }
    }

    private void CheckBounds(TensorRef tensor)
    {
        if (tensor.Offset < 0 || tensor.Size.Any(s => s < 0) || tensor.Stride.Any(s => s < 0))
            throw new InvalidDataException($"{_path}: tensor with negative offset, size or stride in storage {tensor.Storage.Key}");
        if (tensor.Size.Any(s => s == 0)) return;
        var last = tensor.Offset;
        for (var d = 0; d < tensor.Size.Length; d++) last = checked(last + (tensor.Size[d] - 1) * tensor.Stride[d]);
        if (last >= tensor.Storage.Numel)
            throw new InvalidDataException($"{_path}: tensor of size ({string.Join(", ", tensor.Size)}) at offset {tensor.Offset} " +
                                           $"reaches element {last} of storage {tensor.Storage.Key}, which has {tensor.Storage.Numel}");
    }

    private byte[] ReadAll(ZipArchiveEntry entry)
    {
        // data.pkl of even the largest real checkpoints is a few MB; a huge claim is corruption, not data.
        if (entry.Length > MaxPickleBytes)
            throw new InvalidDataException($"{_path}: record '{entry.FullName}' claims {entry.Length} bytes; at most {MaxPickleBytes} expected");
        var bytes = new byte[entry.Length];
        using var stream = entry.Open();
        stream.ReadExactly(bytes);
        return bytes;
    }
}

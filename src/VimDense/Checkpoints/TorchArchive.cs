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
internal sealed class TorchArchive : ITorchFile
{
    private const long MaxPickleBytes = 1L << 30;

    private readonly string _path;
    private readonly FileStream _file;
    private readonly ZipArchive _zip;
    private readonly string _prefix;
    private readonly StorageTable _table;
    private readonly Dictionary<string, torch.Tensor> _storages = [];

    public TorchArchive(string path)
    {
        _path = path;
        _file = InputFile.OpenRead(path, "checkpoint");
        _table = new StorageTable(path, _file.Length);
        try
        {
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

    public object? ReadGraph()
    {
        var entry = _zip.GetEntry($"{_prefix}/data.pkl")!;
        return new PickleReader(ReadAll(entry), _path, _table.PersistentLoad).Load();
    }

    public torch.Tensor Materialize(TensorRef tensor) => _table.View(Storage(tensor.Storage), tensor);

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
        var order = PickleKeys.Clip(System.Text.Encoding.ASCII.GetString(ReadAll(entry)).Trim());
        if (order != "little")
            throw new InvalidDataException($"{_path}: byte order '{order}' is not supported; expected 'little'");
    }

    private torch.Tensor Storage(StorageRef storage)
    {
        if (_storages.TryGetValue(storage.Key, out var cached)) return cached;
        var name = $"{_prefix}/data/{storage.Key}";
        var entry = _zip.GetEntry(name)
                    ?? throw new InvalidDataException($"{_path}: storage record '{name}' is missing");
        var elementSize = TensorDTypes.Size(storage.Type);
        CheckStored(entry);
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

    /// <summary>
    /// torch.save stores every record uncompressed, so a record's size is bounded by the file's. A compressed one
    /// could decode to far more than the file holds (a 4 MB file to a 4 GiB storage): it is refused before reading.
    /// </summary>
    private void CheckStored(ZipArchiveEntry entry)
    {
        if (entry.CompressedLength != entry.Length)
            throw new UserInputException($"{_path}: record '{PickleKeys.Clip(entry.FullName)}' is compressed ({entry.CompressedLength} bytes " +
                                         $"decoding to {entry.Length}); torch.save stores records uncompressed, so compressed ones are refused");
        if (entry.Length > _file.Length)
            throw new UserInputException($"{_path}: record '{PickleKeys.Clip(entry.FullName)}' claims {entry.Length} bytes, more than the whole file ({_file.Length})");
    }

    private byte[] ReadAll(ZipArchiveEntry entry)
    {
        // data.pkl of even the largest real checkpoints is a few MB; a huge claim is corruption, not data.
        if (entry.Length > MaxPickleBytes)
            throw new InvalidDataException($"{_path}: record '{entry.FullName}' claims {entry.Length} bytes; at most {MaxPickleBytes} expected");
        CheckStored(entry);
        var bytes = new byte[entry.Length];
        using var stream = entry.Open();
        stream.ReadExactly(bytes);
        return bytes;
    }
}

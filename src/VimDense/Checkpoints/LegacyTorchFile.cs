using System.Buffers.Binary;
using System.Numerics;
using TorchSharp;
using VimDense.Checkpoints.Pickle;

namespace VimDense.Checkpoints;

/// <summary>
/// The legacy torch.save layout (PyTorch 0.4 to 1.5, or <c>_use_new_zipfile_serialization=False</c>):
/// five pickles back to back — magic number, protocol version 1001, system info, the object graph, the
/// sorted storage keys — then each storage as an int64 element count and its raw bytes.
/// The file is read into memory whole, which legacy checkpoints (at most a few hundred MB) allow.
/// </summary>
internal sealed class LegacyTorchFile : ITorchFile
{
    private static readonly BigInteger MagicNumber = BigInteger.Parse("119547037146038801333356"); // 0x1950a86a20f9469cfc6c
    private const long ProtocolVersion = 1001;

    private readonly string _path;
    private readonly byte[] _bytes;
    private readonly StorageTable _table;
    private readonly Dictionary<string, torch.Tensor> _storages = [];
    private int _graphStart;

    public LegacyTorchFile(string path, byte[] bytes)
    {
        (_path, _bytes, _table) = (path, bytes, new StorageTable(path, bytes.Length));
        var magic = Next(0, out var pos);
        if (!(magic is long m ? m == MagicNumber : magic is BigInteger b && b == MagicNumber))
            throw new InvalidDataException($"{path}: starts with a pickle but not with torch.save's magic number");
        if (Next(pos, out pos) is not ProtocolVersion)
            throw new InvalidDataException($"{path}: legacy torch.save protocol version is not {ProtocolVersion}");
        if (Next(pos, out pos) is Dictionary<string, object?> info && info.GetValueOrDefault("little_endian") is false)
            throw new InvalidDataException($"{path}: big-endian legacy checkpoints are not supported");
        _graphStart = pos;
    }

    public object? ReadGraph()
    {
        var reader = new PickleReader(_bytes, _path, _table.PersistentLoad, _graphStart);
        var graph = reader.Load();
        var keys = Next(reader.End, out var dataStart) as List<object?>
                   ?? throw new InvalidDataException($"{_path}: the storage key list after the object graph is missing");
        LoadStorages(keys, dataStart);
        return graph;
    }

    public torch.Tensor Materialize(TensorRef tensor) =>
        _table.View(_storages.GetValueOrDefault(tensor.Storage.Key)
                    ?? throw new InvalidDataException($"{_path}: storage {tensor.Storage.Key} is not in the file"), tensor);

    public void Dispose()
    {
        foreach (var storage in _storages.Values) storage.Dispose();
        _storages.Clear();
    }

    /// <summary>Storages follow the key list in its order, each an int64 element count then the data.</summary>
    private void LoadStorages(List<object?> keys, int position)
    {
        long pos = position;
        foreach (var item in keys)
        {
            if (item is not string key || !_table.Refs.TryGetValue(key, out var storage))
                throw new InvalidDataException($"{_path}: storage key {PickleKeys.Describe(item)} is not used by the object graph");
            if (pos + 8 > _bytes.Length) throw new InvalidDataException($"{_path}: storage {key} is missing (truncated file?)");
            var numel = BinaryPrimitives.ReadInt64LittleEndian(_bytes.AsSpan((int)pos, 8));
            if (numel != storage.Numel)
                throw new InvalidDataException($"{_path}: storage {key} holds {numel} elements; the object graph says {storage.Numel}");
            var size = checked(numel * TensorDTypes.Size(storage.Type));
            pos += 8;
            if (pos + size > _bytes.Length) throw new InvalidDataException($"{_path}: storage {key} runs past the end of the file (truncated?)");
            var flat = torch.empty(numel, dtype: storage.Type);
            _bytes.AsSpan((int)pos, (int)size).CopyTo(flat.bytes);
            _storages[key] = flat;
            pos += size;
        }
    }

    /// <summary>One plain pickle (no persistent ids) starting at <paramref name="start"/>.</summary>
    private object? Next(int start, out int end)
    {
        var reader = new PickleReader(_bytes, _path,
            _ => throw new InvalidDataException("unexpected persistent id outside the object graph"), start);
        var value = reader.Load();
        end = reader.End;
        return value;
    }
}

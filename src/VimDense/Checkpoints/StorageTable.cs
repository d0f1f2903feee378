using TorchSharp;
using VimDense.Checkpoints.Pickle;

namespace VimDense.Checkpoints;

/// <summary>
/// The storages a torch.save pickle refers to through persistent ids, and the strided views that
/// tensors are of them. Shared by the zip and the legacy file layouts. Sizes are checked against the file's
/// (<paramref name="fileBytes"/>) before anything is allocated: a storage never holds more bytes than the file, and
/// views (stride 0, overlapping or repeated) may not add more than <see cref="MaxViewSlackBytes"/> beyond them.
/// </summary>
internal sealed class StorageTable(string path, long fileBytes)
{
    /// <summary>How many bytes the materialised tensors may add up to beyond the file's size (tied weights, views).</summary>
    public const long MaxViewSlackBytes = 1L << 28;
    private const int MaxKeyLength = 256;

    private readonly Dictionary<string, StorageRef> _refs = [];
    private long _viewBytes;

    public IReadOnlyDictionary<string, StorageRef> Refs => _refs;

    /// <summary>
    /// torch.save's persistent id: ('storage', &lt;Type&gt;Storage, key, location, numel), with a sixth
    /// element (view metadata, always None since PyTorch 0.4) in the legacy layout.
    /// </summary>
    public object? PersistentLoad(object? pid)
    {
        if (pid is not object?[] { Length: 5 or 6 } t || t[0] is not "storage" || t[1] is not StorageClass type
            || t[2] is not string key || t[4] is not long numel || numel < 0 || (t.Length == 6 && t[5] is not null))
            throw new InvalidDataException("persistent id is not ('storage', <Type>Storage, key, location, numel)");
        if (key.Length > MaxKeyLength) throw new InvalidDataException($"storage key of {key.Length} characters; at most {MaxKeyLength} expected");
        // Each storage is stored whole, uncompressed, in the file: a larger claim is a lie, refused before any allocation.
        if (numel > fileBytes / TensorDTypes.Size(type.Type))
            throw new UserInputException($"{path}: storage {key} claims {numel} {type.Name} elements, more than the whole file " +
                                         $"({fileBytes} bytes) can hold");
        if (_refs.TryGetValue(key, out var known))
        {
            if (known.Type != type.Type || known.Numel != numel)
                throw new InvalidDataException($"storage {key} is described twice with different types or sizes");
            return known;
        }
        return _refs[key] = new StorageRef(key, type.Type, numel);
    }

    /// <summary>The tensor as a view of its storage, after checking that it stays inside it.</summary>
    public torch.Tensor View(torch.Tensor storage, TensorRef tensor)
    {
        if (tensor.Offset < 0 || tensor.Size.Any(s => s < 0) || tensor.Stride.Any(s => s < 0))
            throw new InvalidDataException($"{path}: tensor with negative offset, size or stride in storage {tensor.Storage.Key}");
        if (tensor.Size.All(s => s > 0))
        {
            var last = tensor.Offset;
            for (var d = 0; d < tensor.Size.Length; d++) last = checked(last + (tensor.Size[d] - 1) * tensor.Stride[d]);
            if (last >= tensor.Storage.Numel)
                throw new InvalidDataException($"{path}: tensor of size ({string.Join(", ", tensor.Size)}) at offset {tensor.Offset} " +
                                               $"reaches element {last} of storage {tensor.Storage.Key}, which has {tensor.Storage.Numel}");
        }
        CountViewBytes(tensor);
        return storage.as_strided(tensor.Size, tensor.Stride, tensor.Offset);
    }

    /// <summary>
    /// A stride-0 view of one element can claim 2^28 of them: harmless as a view, but whoever copies it (convert,
    /// training) allocates them all. The views' total is capped at the file size plus <see cref="MaxViewSlackBytes"/>.
    /// </summary>
    private void CountViewBytes(TensorRef tensor)
    {
        var elements = tensor.Size.Aggregate(1L, (a, b) => checked(a * b));
        _viewBytes = checked(_viewBytes + elements * TensorDTypes.Size(tensor.Storage.Type));
        if (_viewBytes > fileBytes + MaxViewSlackBytes)
            throw new UserInputException($"{path}: the tensors' views add up to {_viewBytes} bytes, more than the file's {fileBytes} " +
                                         $"plus {MaxViewSlackBytes} (expanded or repeated views of storage {tensor.Storage.Key} are refused)");
    }
}

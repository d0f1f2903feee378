using TorchSharp;

namespace VimDense.Checkpoints.Pickle;

// The few non-plain values a restricted unpickle can produce. They are inert descriptions: nothing
// is read from the archive until a caller materialises the tensors it actually wants.

/// <summary>A storage class such as <c>torch.FloatStorage</c>, referenced from persistent ids.</summary>
internal sealed record StorageClass(string Name, torch.ScalarType Type);

/// <summary>One storage record of the archive (<c>data/&lt;Key&gt;</c>), <paramref name="Numel"/> elements.</summary>
internal sealed record StorageRef(string Key, torch.ScalarType Type, long Numel);

/// <summary>A tensor as <c>_rebuild_tensor_v2</c> describes it: a strided view of a storage.</summary>
internal sealed record TensorRef(StorageRef Storage, long Offset, long[] Size, long[] Stride);

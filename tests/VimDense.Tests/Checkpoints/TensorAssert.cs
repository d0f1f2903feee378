using static TorchSharp.torch;

namespace VimDense.Tests.Checkpoints;

internal static class TensorAssert
{
    /// <summary>Same dtype, shape and bits (NaNs and signed zeros included).</summary>
    public static void Identical(Tensor expected, Tensor actual, string name = "")
    {
        Assert.True(expected.dtype == actual.dtype, $"{name}: dtype {actual.dtype}, expected {expected.dtype}");
        Assert.True(expected.shape.SequenceEqual(actual.shape),
            $"{name}: shape ({string.Join(",", actual.shape)}), expected ({string.Join(",", expected.shape)})");
        Assert.True(Bytes(expected).SequenceEqual(Bytes(actual)), $"{name}: values differ");
    }

    private static byte[] Bytes(Tensor t) => t.detach().cpu().contiguous().bytes.ToArray();
}

using VimDense.Checkpoints;
using static TorchSharp.torch;

namespace VimDense.Tests.Checkpoints;

/// <summary>Views, offsets, non-contiguous strides and shared storages come back as PyTorch saved them.</summary>
public class TensorViewCheckpointTests
{
    [Fact]
    public void NonContiguousViewsAndSharedStorageRoundTrip()
    {
        var storageValues = Enumerable.Range(0, 24).Select(i => i * 0.5f - 3).ToArray();
        var storage = tensor(storageValues);
        var w = new TorchZipWriter();
        w.OrderedDict();
        w.Pickle.Mark();
        w.Pickle.Str("matrix"); w.View(storage, 0, [4, 6], [6, 1]);
        w.Pickle.Str("transposed"); w.View(storage, 0, [6, 4], [1, 6]); // same storage, non-contiguous
        w.Pickle.Str("strided"); w.View(storage, 5, [2, 3], [9, 2]); // offset and gaps
        w.Pickle.Str("ids"); w.Tensor(tensor(new long[] { 1, -2, 1L << 40 }));
        w.Pickle.Str("mask"); w.Tensor(tensor(new[] { true, false, true }));
        w.Pickle.SetItems();
        var path = Path.Combine(TestPaths.NewTempDir(), "views.pth");
        w.Save(path);

        var sd = TorchCheckpoint.LoadStateDict(path);
        // The obviously-right reference: element [i, j] of a view is storage[offset + i*s0 + j*s1].
        void Check(string name, long offset, long[] size, long[] stride)
        {
            var t = sd[name];
            Assert.Equal(size, t.shape);
            for (var i = 0; i < size[0]; i++)
                for (var j = 0; j < size[1]; j++)
                    Assert.Equal(storageValues[offset + i * stride[0] + j * stride[1]], t[i, j].item<float>());
        }
        Check("matrix", 0, [4, 6], [6, 1]);
        Check("transposed", 0, [6, 4], [1, 6]);
        Check("strided", 5, [2, 3], [9, 2]);
        Assert.False(sd["transposed"].is_contiguous());
        Assert.Equal(new long[] { 1, -2, 1L << 40 }, sd["ids"].data<long>().ToArray());
        Assert.Equal(new[] { true, false, true }, sd["mask"].data<bool>().ToArray());

        // Like torch.load, views of one storage share memory.
        sd["matrix"][1, 3] = tensor(100f); // storage element 9
        Assert.Equal(100f, sd["transposed"][3, 1].item<float>());
        Assert.Equal(100f, sd["strided"][0, 2].item<float>()); // 5 + 2 * 2
    }
}

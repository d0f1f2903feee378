using System.Diagnostics;
using VimDense.Checkpoints;
using VimDense.IO;
using static TorchSharp.torch;

namespace VimDense.Tests.Checkpoints;

/// <summary>
/// Tensors larger than the 64 MB read/write chunk go through several chunks in every format: the
/// chunk boundaries must not drop, repeat or shift bytes.
/// </summary>
public class LargeTensorTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public void TensorSpanningSeveralChunksRoundTripsInEveryFormat()
    {
        const long numel = (64L << 20) / 4 * 2 + 12345 * 4; // two full float32 chunks and a remainder, as rows of 4
        var big = arange(numel, dtype: ScalarType.Int32).to(ScalarType.Float32).reshape(numel / 4, 4);
        var small = tensor(new[] { 1f, 2f });
        var dir = TestPaths.NewTempDir();

        var pth = Path.Combine(dir, "big.pth");
        var w = new TorchZipWriter();
        w.OrderedDict();
        w.Pickle.Mark().Str("big");
        w.Tensor(big);
        w.Pickle.Str("small");
        w.Tensor(small);
        w.Pickle.SetItems();
        w.Save(pth);
        var watch = Stopwatch.StartNew();
        var fromPth = TorchCheckpoint.LoadStateDict(pth);
        var pthSeconds = watch.Elapsed.TotalSeconds;
        TensorAssert.Identical(big, fromPth["big"], "pth");
        TensorAssert.Identical(small, fromPth["small"], "pth");

        output.WriteLine($"read 134 MB .pth (CRC checked) in {pthSeconds:F2} s");
        var st = Path.Combine(dir, "big.safetensors");
        SafeTensors.Save(st, fromPth);
        watch.Restart();
        var fromSafeTensors = SafeTensors.Load(st);
        output.WriteLine($"read 134 MB .safetensors in {watch.Elapsed.TotalSeconds:F2} s");
        TensorAssert.Identical(big, fromSafeTensors["big"], "safetensors");
        TensorAssert.Identical(small, fromSafeTensors["small"], "safetensors");

        var npy = Path.Combine(dir, "big.npy");
        NpyFile.Write(npy, big);
        TensorAssert.Identical(big, NpyFile.Read(npy), "npy");

        Directory.Delete(dir, true);
    }
}

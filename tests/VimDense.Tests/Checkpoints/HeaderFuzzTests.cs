using VimDense.Checkpoints;
using VimDense.IO;
using static TorchSharp.torch;

namespace VimDense.Tests.Checkpoints;

/// <summary>Random damage to safetensors and .npy headers gives InvalidDataException naming the file, or a load.</summary>
public class HeaderFuzzTests
{
    private static int Fuzz(string path, byte[] original, int headerEnd, Action load, int seed)
    {
        var random = new Random(seed);
        var failures = 0;
        for (var trial = 0; trial < 300; trial++)
        {
            var bytes = (byte[])original.Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--)
                bytes[random.Next(headerEnd)] = random.Next(3) == 0 ? (byte)random.Next(256) : (byte)"0123456789[],:\"e-"[random.Next(17)];
            File.WriteAllBytes(path, bytes);
            try
            {
                load();
            }
            catch (InvalidDataException e)
            {
                Assert.Contains(path, e.Message);
                Assert.DoesNotContain('\n', e.Message);
                failures++;
            }
        }
        return failures;
    }

    [Fact]
    public void DamagedSafeTensorsHeadersFailCleanly()
    {
        var dir = TestPaths.NewTempDir();
        var path = Path.Combine(dir, "f.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["a"] = ones(2, 3), ["b"] = arange(4), ["c"] = tensor(new[] { true }) });
        var original = File.ReadAllBytes(path);
        var headerEnd = 8 + (int)BitConverter.ToUInt64(original);
        Assert.InRange(Fuzz(path, original, headerEnd, () => SafeTensors.Load(path), seed: 7), 100, 300);
    }

    [Fact]
    public void DamagedNpyHeadersFailCleanly()
    {
        var dir = TestPaths.NewTempDir();
        var path = Path.Combine(dir, "f.npy");
        NpyFile.Write(path, arange(24, dtype: ScalarType.Float32).reshape(2, 3, 4));
        var original = File.ReadAllBytes(path);
        Assert.InRange(Fuzz(path, original, 128, () => NpyFile.Read(path), seed: 8), 100, 300);
    }
}

using VimDense.Checkpoints;
using static TorchSharp.torch;

namespace VimDense.Tests.Checkpoints;

/// <summary>Broken files fail with one clear line naming the file, never a crash or a hang.</summary>
public class CorruptCheckpointTests
{
    private static void AssertOneLineNamingFile(Exception error, string path)
    {
        Assert.Contains(path, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void TruncatedZipIsAClearError()
    {
        var dir = TestPaths.NewTempDir();
        var path = Path.Combine(dir, "truncated.pth");
        var bytes = File.ReadAllBytes(TestPaths.Fixture("vim", "vim_tiny_s16_img64_seed11_d4.pth"));
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var error = Assert.Throws<InvalidDataException>(() => TorchCheckpoint.LoadStateDict(path));
        AssertOneLineNamingFile(error, path);
        Assert.Contains("zip", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 })]
    [InlineData(new byte[] { 0x80, 0x02, 0x8a, 0x0a })] // legacy (pre-1.6) torch.save starts with a bare pickle
    public void NonZipFilesAreClearErrors(byte[] content)
    {
        var path = Path.Combine(TestPaths.NewTempDir(), "bad.pth");
        File.WriteAllBytes(path, content);
        AssertOneLineNamingFile(Assert.Throws<InvalidDataException>(() => TorchCheckpoint.Load(path)), path);
    }

    [Fact]
    public void MissingFileIsFileNotFound() =>
        Assert.Throws<FileNotFoundException>(() => TorchCheckpoint.Load("/nonexistent/model.pth"));

    private static (byte[] Pickle, Dictionary<string, byte[]> Storages) SmallCheckpoint()
    {
        var w = new TorchZipWriter();
        w.OrderedDict();
        w.Pickle.Mark().Str("a");
        w.Tensor(arange(6, dtype: ScalarType.Float32).reshape(2, 3));
        w.Pickle.Str("b");
        w.Tensor(tensor(new long[] { 7, -8 }));
        w.Pickle.SetItems();
        var path = Path.Combine(TestPaths.NewTempDir(), "small.pth");
        w.Save(path);
        using var zip = System.IO.Compression.ZipFile.OpenRead(path);
        byte[] Read(string name)
        {
            using var s = zip.GetEntry(name)!.Open();
            using var m = new MemoryStream();
            s.CopyTo(m);
            return m.ToArray();
        }
        return (Read("archive/data.pkl"), new() { ["0"] = Read("archive/data/0"), ["1"] = Read("archive/data/1") });
    }

    [Fact]
    public void EveryTruncationOfThePickleIsAClearError()
    {
        var (pickle, storages) = SmallCheckpoint();
        var path = Path.Combine(TestPaths.NewTempDir(), "cut.pth");
        for (var length = 0; length < pickle.Length; length++)
        {
            TorchZipWriter.WriteZip(path, "archive", pickle[..length], storages);
            var error = Assert.Throws<InvalidDataException>(() => TorchCheckpoint.Load(path));
            AssertOneLineNamingFile(error, path);
        }
    }

    [Fact]
    public void RandomlyCorruptedPicklesFailCleanlyOrLoad()
    {
        var (pickle, storages) = SmallCheckpoint();
        var path = Path.Combine(TestPaths.NewTempDir(), "flipped.pth");
        var random = new Random(1234);
        var failures = 0;
        for (var trial = 0; trial < 400; trial++)
        {
            var corrupt = (byte[])pickle.Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--) corrupt[random.Next(corrupt.Length)] = (byte)random.Next(256);
            TorchZipWriter.WriteZip(path, "archive", corrupt, storages);
            try
            {
                TorchCheckpoint.Load(path);
            }
            catch (Exception e) when (e is InvalidDataException or UserInputException)
            {
                AssertOneLineNamingFile(e, path);
                failures++;
            }
        }
        Assert.InRange(failures, 50, 400); // the corruption does exercise the error paths
    }

    [Fact]
    public void FlippedByteInsideAStorageFailsTheCrcCheck()
    {
        var (pickle, storages) = SmallCheckpoint();
        var path = Path.Combine(TestPaths.NewTempDir(), "flipped_storage.pth");
        TorchZipWriter.WriteZip(path, "archive", pickle, storages);
        var bytes = File.ReadAllBytes(path);
        var at = bytes.AsSpan().IndexOf(storages["0"]); // stored uncompressed, so the raw floats are in the file
        Assert.True(at > 0);
        bytes[at + 5] ^= 0x40;
        File.WriteAllBytes(path, bytes);
        var error = Assert.Throws<InvalidDataException>(() => TorchCheckpoint.LoadStateDict(path));
        AssertOneLineNamingFile(error, path);
        Assert.Contains("CRC-32", error.Message);
    }

    [Fact]
    public void StorageOfTheWrongSizeIsAClearError()
    {
        var (pickle, storages) = SmallCheckpoint();
        storages["0"] = storages["0"][..8];
        var path = Path.Combine(TestPaths.NewTempDir(), "short_storage.pth");
        TorchZipWriter.WriteZip(path, "archive", pickle, storages);
        var error = Assert.Throws<InvalidDataException>(() => TorchCheckpoint.LoadStateDict(path));
        AssertOneLineNamingFile(error, path);
        Assert.Contains("archive/data/0", error.Message);
    }

    [Fact]
    public void ViewReachingPastItsStorageIsAClearError()
    {
        var w = new TorchZipWriter();
        w.OrderedDict();
        w.Pickle.Mark().Str("w");
        w.View(arange(10, dtype: ScalarType.Float32), offset: 4, size: [3, 3], stride: [3, 1]); // reaches element 12
        w.Pickle.SetItems();
        var path = Path.Combine(TestPaths.NewTempDir(), "oob.pth");
        w.Save(path);
        var error = Assert.Throws<InvalidDataException>(() => TorchCheckpoint.LoadStateDict(path));
        AssertOneLineNamingFile(error, path);
        Assert.Contains("reaches element 12", error.Message);
    }

    [Fact]
    public void UnknownKeyListsTheTopLevelKeys()
    {
        var path = TestPaths.Fixture("vim", "vim_tiny_s8_img64_seed12_d4.wrapped.pth");
        var error = Assert.Throws<UserInputException>(() => TorchCheckpoint.LoadStateDict(path, "model_ema"));
        Assert.Contains("no 'model_ema' entry; top-level keys: model", error.Message);
    }
}

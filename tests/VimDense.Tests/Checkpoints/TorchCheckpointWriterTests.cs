using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using VimDense.Checkpoints;
using VimDense.Checkpoints.Pickle;
using static TorchSharp.torch;

namespace VimDense.Tests.Checkpoints;

/// <summary>
/// The .pth writer: what it writes reads back identically through the repository's own safe reader, its zip records
/// are stored and 64-byte aligned as PyTorch's writer lays them out, and its pickle is exactly the protocol-2 opcodes
/// a weights_only load accepts (tools/reference/check_pth_export.py loads an export with real torch; not in CI).
/// </summary>
public class TorchCheckpointWriterTests
{
    private static Dictionary<string, Tensor> Mixed()
    {
        manual_seed(5);
        var wide = randn(3, 5);
        return new Dictionary<string, Tensor>
        {
            ["layers.0.weight"] = randn(4, 3),
            ["layers.0.bias"] = randn(4).to(float16),
            ["norm.weight"] = randn(2, 2).to(bfloat16),
            ["transposed"] = wide.t(), // a view: written contiguous, as its own storage
            ["narrowed"] = wide.narrow(1, 1, 3),
            ["num_batches_tracked"] = tensor(70000L),
            ["mask"] = tensor(new[] { true, false, true }),
            ["ids"] = tensor(new long[] { -1, 1L << 40, 3 }),
            ["empty"] = zeros(0, 4),
            ["big_dim"] = zeros(300, 1, dtype: ScalarType.Int32),
        };
    }

    [Fact]
    public void WrittenFilesReadBackIdenticallyInOrder()
    {
        var path = Path.Combine(TestPaths.NewTempDir(), "model.pth");
        var expected = Mixed();
        TorchCheckpointWriter.Save(path, expected);

        var actual = TorchCheckpoint.LoadStateDict(path);
        Assert.Equal(expected.Keys, actual.Keys);
        foreach (var (name, value) in expected)
        {
            Assert.Equal(value.dtype, actual[name].dtype);
            TensorAssert.Identical(value.contiguous(), actual[name], name);
            Assert.True(actual[name].is_contiguous(), name);
        }
        // The whole graph is an (Ordered)Dict of tensors and nothing else.
        var graph = Assert.IsType<Dictionary<string, object?>>(TorchCheckpoint.Load(path));
        Assert.All(graph.Values, v => Assert.IsType<Tensor>(v));
    }

    [Fact]
    public void RecordsAreStoredAlignedAndNamedAsTorchSaveNamesThem()
    {
        var path = Path.Combine(TestPaths.NewTempDir(), "model.pth");
        var tensors = Mixed();
        TorchCheckpointWriter.Save(path, tensors);

        using (var zip = ZipFile.OpenRead(path))
        {
            string[] expected = ["archive/data.pkl", "archive/byteorder", .. Enumerable.Range(0, tensors.Count).Select(i => $"archive/data/{i}"), "archive/version"];
            Assert.Equal(expected, zip.Entries.Select(e => e.FullName));
            Assert.All(zip.Entries, e => Assert.Equal(e.Length, e.CompressedLength));
            using var reader = new StreamReader(zip.GetEntry("archive/byteorder")!.Open());
            Assert.Equal("little", reader.ReadToEnd());
        }

        // Walk the local headers: each record's data starts on a 64-byte boundary.
        var bytes = File.ReadAllBytes(path);
        var position = 0;
        var records = 0;
        while (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(position)) == 0x04034b50)
        {
            Assert.Equal(0, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(position + 8))); // STORED
            var size = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(position + 18));
            var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(position + 26));
            var extraLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(position + 28));
            var data = position + 30 + nameLength + extraLength;
            Assert.True(data % 64 == 0, $"{Encoding.UTF8.GetString(bytes, position + 30, nameLength)} starts at {data}");
            position = data + (int)size;
            records++;
        }
        Assert.Equal(tensors.Count + 3, records);
    }

    [Fact]
    public void ThePickleIsProtocolTwoOrderedDictOfRebuildTensorV2()
    {
        var pickle = TorchCheckpointWriter.Pickle([new("w", zeros(2, 3))]);
        var expected = new List<byte> { 0x80, 2 };
        void Text(string s) => expected.AddRange(Encoding.ASCII.GetBytes(s));
        void Str(string s)
        {
            expected.Add((byte)'X');
            expected.AddRange(BitConverter.GetBytes(s.Length));
            Text(s);
        }
        Text("ccollections\nOrderedDict\n)R("); // OrderedDict(), then MARK for SETITEMS
        Str("w");
        Text("ctorch._utils\n_rebuild_tensor_v2\n(("); // MARK for the arguments, MARK for the persistent id
        Str("storage");
        Text("ctorch\nFloatStorage\n");
        Str("0");
        Str("cpu");
        expected.AddRange([(byte)'K', 6, (byte)'t', (byte)'Q']); // numel, TUPLE, BINPERSID
        expected.AddRange([(byte)'K', 0]); // storage offset
        expected.AddRange([(byte)'K', 2, (byte)'K', 3, 0x86]); // size (2, 3): TUPLE2
        expected.AddRange([(byte)'K', 3, (byte)'K', 1, 0x86]); // stride (3, 1)
        expected.Add(0x89); // requires_grad False
        Text("ccollections\nOrderedDict\n)R"); // backward hooks
        Text("tRu."); // TUPLE, REDUCE, SETITEMS, STOP
        Assert.Equal(expected.ToArray(), pickle);
        Assert.Equal([0x80, 2, (byte)'c'], TorchCheckpointWriter.Pickle([])[..3]);
    }

    [Theory]
    [InlineData(0L, new byte[] { (byte)'K', 0 })]
    [InlineData(255L, new byte[] { (byte)'K', 255 })]
    [InlineData(256L, new byte[] { (byte)'M', 0, 1 })]
    [InlineData(65536L, new byte[] { (byte)'J', 0, 0, 1, 0 })]
    [InlineData(-1L, new byte[] { (byte)'J', 255, 255, 255, 255 })]
    [InlineData(1L << 40, new byte[] { 0x8a, 6, 0, 0, 0, 0, 0, 1 })]
    [InlineData(-(1L << 40), new byte[] { 0x8a, 6, 0, 0, 0, 0, 0, 255 })]
    public void IntegersUseCPythonsOpcodes(long value, byte[] expected)
    {
        var bytes = new PickleWriter().Int(value).ToArray();
        Assert.Equal(expected, bytes);
        // And the reader reads the value back.
        var read = new PickleReader([.. new PickleWriter().Proto().ToArray(), .. bytes, (byte)'.'], "test", _ => null).Load();
        Assert.Equal(value, read);
    }

    [Fact]
    public void TheCliExportsATrainingCheckpointsModelOrEmaWeights()
    {
        var dir = TestPaths.NewTempDir();
        var legacy = Path.Combine(TestPaths.RepoRoot, "tests", "VimDense.Tests", "Checkpoints", "Data", "legacy_train_iter_2.safetensors");
        var all = SafeTensors.Load(legacy);
        foreach (var (option, prefix) in new[] { ("", "model."), ("--ema", "ema.") })
        {
            var output = Path.Combine(dir, $"export{option}.pth");
            var (code, stdout, stderr) = CliRunner.Run(option.Length == 0 ? ["convert", legacy, output] : ["convert", legacy, output, option]);
            Assert.True(code == 0, stderr);
            Assert.Contains(option.Length == 0 ? "[model weights]" : "[ema weights]", stdout);
            var exported = TorchCheckpoint.LoadStateDict(output);
            var expected = all.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value);
            Assert.Equal(expected.Keys.Order(), exported.Keys.Order());
            foreach (var (name, value) in expected) TensorAssert.Identical(value, exported[name], name);
        }

        // --ema on a file that is not a training checkpoint says so in one line.
        var plain = Path.Combine(dir, "export.pth");
        var (bad, _, error) = CliRunner.Run(["convert", plain, Path.Combine(dir, "again.pth"), "--ema"]);
        Assert.Equal(1, bad);
        Assert.Contains("--ema picks the averaged weights of a VimDense training checkpoint, and this is not one", error);
        Assert.Single(error.Trim().Split('\n'));
    }
}

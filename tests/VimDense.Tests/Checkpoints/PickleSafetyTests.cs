using VimDense.Checkpoints;
using static TorchSharp.torch;

namespace VimDense.Tests.Checkpoints;

/// <summary>Hostile pickles are refused before anything runs, with the global and the file named.</summary>
public class PickleSafetyTests
{
    /// <summary>A checkpoint whose pickle calls module.name("touch MARKER") via GLOBAL + REDUCE.</summary>
    private static (string Path, string Marker) HostileCheckpoint(string module, string name, bool stackGlobal = false, bool insideStateDict = false)
    {
        var dir = TestPaths.NewTempDir();
        var marker = System.IO.Path.Combine(dir, "pwned");
        var w = new TorchZipWriter();
        var p = w.Pickle;
        if (insideStateDict)
        {
            w.OrderedDict();
            p.Mark().Str("weight");
            w.Tensor(ones(2, 3));
            p.Str("bias");
        }
        if (stackGlobal) p.StackGlobal(module, name); else p.Global(module, name);
        p.Mark().Str($"touch {marker}").Tuple().Reduce();
        if (insideStateDict) p.SetItems();
        var path = System.IO.Path.Combine(dir, "evil.pth");
        w.Save(path);
        return (path, marker);
    }

    [Theory]
    [InlineData("os", "system", false)]
    [InlineData("posix", "system", false)]
    [InlineData("builtins", "eval", false)]
    [InlineData("builtins", "exec", true)]
    [InlineData("subprocess", "Popen", true)]
    [InlineData("torch.storage", "_load_from_bytes", false)]
    [InlineData("builtins", "getattr", false)]
    public void ForbiddenGlobalIsRefusedAndNothingRuns(string module, string name, bool stackGlobal)
    {
        var (path, marker) = HostileCheckpoint(module, name, stackGlobal);
        var error = Assert.Throws<UserInputException>(() => TorchCheckpoint.Load(path));
        Assert.Contains($"'{module}.{name}'", error.Message);
        Assert.Contains(path, error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public void ForbiddenGlobalAmongValidTensorsRefusesTheWholeFile()
    {
        var (path, marker) = HostileCheckpoint("os", "system", insideStateDict: true);
        Assert.Contains("'os.system'", Assert.Throws<UserInputException>(() => TorchCheckpoint.LoadStateDict(path)).Message);
        Assert.Contains("'os.system'", Assert.Throws<UserInputException>(() => StateDicts.Load(path)).Message);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public void CliConvertRefusesHostileCheckpointWithOneLine()
    {
        var (path, marker) = HostileCheckpoint("os", "system", insideStateDict: true);
        var output = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(path)!, "out.safetensors");
        var (code, stdout, stderr) = CliRunner.Run("convert", path, output);
        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.Contains("os.system", stderr);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.False(File.Exists(marker));
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void InstOpcodeIsNotInterpreted()
    {
        // INST ('i') names a class inline and calls it: the reader does not implement it at all.
        var dir = TestPaths.NewTempDir();
        var marker = Path.Combine(dir, "pwned");
        var pickle = new PickleBuilder().Proto().Mark().Str($"touch {marker}")
            .Op((byte)'i').Raw(System.Text.Encoding.ASCII.GetBytes("os\nsystem\n")).Stop().ToArray();
        var path = Path.Combine(dir, "inst.pth");
        TorchZipWriter.WriteZip(path, "archive", pickle, new Dictionary<string, byte[]>());
        var error = Assert.Throws<InvalidDataException>(() => TorchCheckpoint.Load(path));
        Assert.Contains("unsupported pickle opcode", error.Message);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public void StorageClassesAndInertTorchGlobalsAreAllowed()
    {
        var dir = TestPaths.NewTempDir();
        var path = Path.Combine(dir, "misc.pth");
        var w = new TorchZipWriter();
        var q = w.Pickle;
        q.EmptyDict().Mark();
        q.Str("device").Global("torch", "device").Mark().Str("cuda").Int(0).Tuple().Reduce();
        q.Str("size").Global("torch", "Size").Mark().IntTuple([2, 3]).Tuple().Reduce();
        q.Str("dtype").Global("torch", "float16");
        q.Str("blob").Global("_codecs", "encode").Mark().Str("\u00ff\u0001").Str("latin1").Tuple().Reduce();
        q.Str("half"); w.Tensor(tensor(new float[] { 1.5f, -2 }).to(ScalarType.Float16));
        q.Str("big").Int(1L << 40).Str("neg").Int(-7);
        q.SetItems();
        w.Save(path);
        var graph = Assert.IsType<Dictionary<string, object?>>(TorchCheckpoint.Load(path));
        Assert.Equal("cuda:0", graph["device"]);
        Assert.Equal(new object?[] { 2L, 3L }, graph["size"]);
        Assert.Equal("torch.float16", graph["dtype"]);
        Assert.Equal(new byte[] { 0xff, 0x01 }, graph["blob"]);
        Assert.Equal(1L << 40, graph["big"]);
        Assert.Equal(-7L, graph["neg"]);
        var half = Assert.IsType<Tensor>(graph["half"]);
        Assert.Equal(ScalarType.Float16, half.dtype);
        Assert.Equal(new[] { 1.5f, -2f }, half.to(ScalarType.Float32).data<float>().ToArray());
    }
}

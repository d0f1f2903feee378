using Newtonsoft.Json.Linq;
using VimDense.Checkpoints;
using static TorchSharp.torch;

namespace VimDense.Tests.Checkpoints;

/// <summary>
/// Files written by real torch.save (PyTorch 1.13, zip and legacy layouts; Data/make_fixtures.py) against
/// the dtype, shape, stride, offset and values PyTorch itself reported for every tensor (Data/expected.json).
/// </summary>
public class RealTorchSaveTests
{
    private static readonly string DataDir = Path.Combine(TestPaths.RepoRoot, "tests", "VimDense.Tests", "Checkpoints", "Data");
    private static readonly JObject Expected = JObject.Parse(File.ReadAllText(Path.Combine(DataDir, "expected.json")));

    private static string DataFile(string name) => Path.Combine(DataDir, name);

    private static object? Navigate(object? node, string path)
    {
        foreach (var part in path.Split('/'))
            node = node switch
            {
                Dictionary<string, object?> dict => dict[part],
                List<object?> list => list[int.Parse(part)],
                object?[] tuple => tuple[int.Parse(part)],
                _ => throw new KeyNotFoundException(path),
            };
        return node;
    }

    private static ScalarType DType(string name) => name switch
    {
        "float32" => ScalarType.Float32, "float16" => ScalarType.Float16, "bfloat16" => ScalarType.BFloat16,
        "float64" => ScalarType.Float64, "int64" => ScalarType.Int64, "int32" => ScalarType.Int32,
        "uint8" => ScalarType.Byte, "bool" => ScalarType.Bool,
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [InlineData("views.pth")]
    [InlineData("legacy_views.pth")]
    [InlineData("official_like.pth")]
    [InlineData("numpy_meta.pth")]
    public void EveryTensorMatchesWhatPyTorchReported(string file)
    {
        var graph = TorchCheckpoint.Load(DataFile(file));
        var tensors = (JObject)Expected["files"]![file]!;
        Assert.NotEmpty(tensors.Properties());
        foreach (var (path, spec) in tensors)
        {
            var t = Assert.IsType<Tensor>(Navigate(graph, path));
            Assert.Equal(DType((string)spec!["dtype"]!), t.dtype);
            Assert.Equal(spec["shape"]!.Select(v => (long)v).ToArray(), t.shape);
            if (t.numel() > 0) Assert.Equal(spec["stride"]!.Select(v => (long)v).ToArray(), t.stride());
            Assert.Equal((long)spec["offset"]!, t.storage_offset());
            var values = spec["values"]!.ToArray();
            if (t.numel() == 0) Assert.Empty(values);
            else if (t.dtype == ScalarType.Bool)
                Assert.Equal(values.Select(v => (bool)v).ToArray(), t.contiguous().data<bool>().ToArray());
            else
                Assert.Equal(values.Select(v => (double)v).ToArray(), t.to(ScalarType.Float64).contiguous().data<double>().ToArray());
        }
    }

    [Theory]
    [InlineData("views.pth")]
    [InlineData("legacy_views.pth")]
    public void ViewsShareTheirStorageAndPlainValuesKeepTheirTypes(string file)
    {
        var graph = Assert.IsType<Dictionary<string, object?>>(TorchCheckpoint.Load(DataFile(file)));
        var matrix = (Tensor)graph["matrix"]!;
        Assert.False(((Tensor)graph["transposed"]!).is_contiguous());
        matrix[1, 3] = tensor(100f); // storage element 9
        Assert.Equal(100f, ((Tensor)graph["transposed"]!)[3, 1].item<float>());
        Assert.Equal(100f, ((Tensor)graph["strided"]!)[0, 2].item<float>());
        Assert.Equal(100f, ((Tensor)graph["slice"]!)[6].item<float>());

        var nested = Assert.IsType<Dictionary<string, object?>>(graph["nested"]);
        var list = Assert.IsType<List<object?>>(nested["list"]);
        Assert.Equal(new object?[] { 1L, 2.5, "x", null, true }, list.Skip(1).ToArray());
        Assert.Equal(new object?[] { 1L, new object?[] { 2L, 3L } }, nested["tuple"]);
        Assert.Equal("int key", nested["7"]);
        Assert.Contains("no state dict found", Assert.Throws<UserInputException>(() => TorchCheckpoint.LoadStateDict(DataFile(file))).Message);
    }

    [Fact]
    public void OfficialLikeContainerUnwrapsAndLoadsStrictlyIntoTheSameModule()
    {
        var path = DataFile("official_like.pth");
        var model = TorchCheckpoint.LoadStateDict(path);
        Assert.Equal(["running", "fc.weight", "fc.bias", "norm.weight", "norm.bias"], model.Keys); // own buffers before children, as PyTorch orders them
        var module = new SmallModule();
        var report = StateDicts.LoadInto(module, model, strict: true, source: path);
        Assert.True(report.IsClean);
        TensorAssert.Identical(model["fc.weight"], module.fc.weight!);
        Assert.Equal(new[] { 0.5f, -0.5f }, module.get_buffer("running")!.data<float>().ToArray());

        var ema = TorchCheckpoint.LoadStateDict(path, "model_ema");
        Assert.True(ema["fc.weight"].allclose(model["fc.weight"] * 0.5));

        var graph = Assert.IsType<Dictionary<string, object?>>(TorchCheckpoint.Load(path));
        Assert.Equal(["model", "optimizer", "lr_scheduler", "epoch", "model_ema", "scaler", "args"], graph.Keys);
        var args = Assert.IsType<Dictionary<string, object?>>(graph["args"]);
        Assert.Equal("vim_tiny_patch16_224", args["model"]);
        Assert.Equal(224L, args["input_size"]);
        Assert.Null(args["finetune"]);
        Assert.Equal(new List<object?> { 0L, 1L }, args["seeds"]);
        var state = Assert.IsType<Dictionary<string, object?>>(Navigate(graph, "optimizer/state"));
        Assert.Equal(["0", "1", "2", "3"], state.Keys);
        Assert.Equal(1.0, Assert.IsType<Tensor>(Navigate(graph, "optimizer/state/0/step")).item<float>());
    }

    [Fact]
    public void NumpyMetadataDecodesAsData()
    {
        var path = DataFile("numpy_meta.pth");
        var graph = TorchCheckpoint.Load(path);
        Assert.Equal(42L, Navigate(graph, "meta/seed"));
        Assert.Equal(0.8125, Navigate(graph, "meta/best"));
        Assert.Equal(true, Navigate(graph, "meta/flag"));
        var palette = Assert.IsType<Tensor>(Navigate(graph, "meta/palette"));
        Assert.Equal(new float[] { 0, 1, 2, 10, 11, 12 }, palette.data<float>().ToArray());
        Assert.Equal(new long[] { 3, 4 }, Assert.IsType<Tensor>(Navigate(graph, "meta/counts")).data<long>().ToArray());
        Assert.Equal(["w"], TorchCheckpoint.LoadStateDict(path).Keys); // found under "state_dict"
    }

    [Fact]
    public void TruncatedLegacyFileIsAClearError()
    {
        var bytes = File.ReadAllBytes(DataFile("legacy_views.pth"));
        var path = Path.Combine(TestPaths.NewTempDir(), "cut_legacy.pth");
        foreach (var length in new[] { 5, 40, bytes.Length / 2, bytes.Length - 3 })
        {
            File.WriteAllBytes(path, bytes[..length]);
            var error = Assert.Throws<InvalidDataException>(() => TorchCheckpoint.Load(path));
            Assert.Contains(path, error.Message);
            Assert.DoesNotContain('\n', error.Message);
        }
    }
}

using TorchSharp;
using VimDense.Checkpoints;
using static TorchSharp.torch;

namespace VimDense.Tests.Checkpoints;

/// <summary>The reference fixtures (torch 1.13 torch.save) load with the reference names, shapes and values.</summary>
public class TorchCheckpointFixtureTests
{
    private static readonly string PlainPath = TestPaths.Fixture("vim", "vim_tiny_s16_img64_seed11_d4.pth");
    private static readonly string WrappedPath = TestPaths.Fixture("vim", "vim_tiny_s8_img64_seed12_d4.wrapped.pth");

    private static long JsonParamCount(string name) =>
        (long)Newtonsoft.Json.Linq.JObject.Parse(File.ReadAllText(TestPaths.Fixture("vim", name + ".json")))["num_params"]!;

    [Fact]
    public void PlainCheckpointHasReferenceKeysShapesAndParameterCount()
    {
        var sd = TorchCheckpoint.LoadStateDict(PlainPath);
        Assert.Equal(75, sd.Count); // 6 model-level + 4 layers x 17 + norm_f
        Assert.Equal(["cls_token", "pos_embed", "patch_embed.proj.weight"], sd.Keys.Take(3)); // file order is kept
        Assert.Equal([1L, 1, 192], sd["cls_token"].shape);
        Assert.Equal([1L, 17, 192], sd["pos_embed"].shape); // 16 patches + the class token
        Assert.Equal([192L, 3, 16, 16], sd["patch_embed.proj.weight"].shape);
        Assert.Equal([768L, 192], sd["layers.0.mixer.in_proj.weight"].shape);
        Assert.Equal([384L, 1, 4], sd["layers.3.mixer.conv1d_b.weight"].shape);
        Assert.Equal([44L, 384], sd["layers.2.mixer.x_proj_b.weight"].shape);
        Assert.Equal([384L, 12], sd["layers.1.mixer.dt_proj.weight"].shape);
        Assert.Equal([192L], sd["norm_f.weight"].shape);
        Assert.Equal([1000L, 192], sd["head.weight"].shape);
        Assert.DoesNotContain("layers.4.norm.weight", sd.Keys);
        Assert.All(sd.Values, t => Assert.Equal(ScalarType.Float32, t.dtype));
        Assert.Equal(JsonParamCount("vim_tiny_s16_img64_seed11_d4"), sd.Values.Sum(t => t.numel()));
    }

    [Fact]
    public void DecodedValuesMatchTheReferenceInitialisation()
    {
        // Mamba initialises A_log = log(1..N) for every channel and the fixture leaves it unperturbed:
        // an independent check that offsets, dtype and byte order are decoded right.
        var sd = TorchCheckpoint.LoadStateDict(PlainPath);
        var expected = torch.log(torch.arange(1, 17, dtype: ScalarType.Float32)).expand(384, 16);
        foreach (var name in new[] { "layers.0.mixer.A_log", "layers.3.mixer.A_b_log" })
            Assert.True(sd[name].allclose(expected, rtol: 1e-6, atol: 1e-6), name);
        Assert.True(sd["head.weight"].abs().max().item<float>() is > 0 and < 10);
    }

    [Fact]
    public void WrappedCheckpointUnwrapsModelAutomaticallyAndByKey()
    {
        var auto = TorchCheckpoint.LoadStateDict(WrappedPath);
        var byKey = TorchCheckpoint.LoadStateDict(WrappedPath, "model");
        Assert.Equal(auto.Keys, byKey.Keys);
        foreach (var (k, v) in auto) TensorAssert.Identical(v, byKey[k], k);
        Assert.Equal([1L, 50, 192], auto["pos_embed"].shape); // 49 patches + the class token
        Assert.Equal(JsonParamCount("vim_tiny_s8_img64_seed12_d4"), auto.Values.Sum(t => t.numel()));

        var graph = Assert.IsType<Dictionary<string, object?>>(TorchCheckpoint.Load(WrappedPath));
        Assert.Equal(["model"], graph.Keys);
        var model = Assert.IsType<Dictionary<string, object?>>(graph["model"]);
        TensorAssert.Identical(auto["norm_f.weight"], Assert.IsType<Tensor>(model["norm_f.weight"]));
    }

    [Fact]
    public void PlainAndWrappedFormsGiveIdenticalTensors()
    {
        // Wrap the plain fixture the way the official main.py saves checkpoints (model, optimizer, epoch,
        // model_ema, scaler, args as argparse.Namespace) and read it back both ways.
        var plain = TorchCheckpoint.LoadStateDict(PlainPath);
        var dir = TestPaths.NewTempDir();
        var path = Path.Combine(dir, "official_like.pth");
        var w = new TorchZipWriter();
        var p = w.Pickle;
        p.EmptyDict().Mark();
        p.Str("model"); WriteStateDict(w, plain, scale: 1);
        p.Str("optimizer").EmptyDict().Mark().Str("state").EmptyDict().Mark().Int(0).EmptyDict().Mark()
            .Str("step").Float(10).SetItems().SetItems()
            .Str("param_groups").EmptyList().Mark().EmptyDict().Mark().Str("lr").Float(5e-4).Str("params").EmptyList().Mark().Int(0).Appends().SetItems().Appends()
            .SetItems();
        p.Str("epoch").Int(299);
        p.Str("model_ema"); WriteStateDict(w, plain, scale: 2);
        p.Str("scaler").Str("none");
        p.Str("args").Global("argparse", "Namespace").EmptyTuple().NewObj()
            .EmptyDict().Mark().Str("model").Str("vim_tiny_patch16_224").Str("lr").Float(5e-4).Str("input_size").Int(224)
            .Str("if_amp").Bool(false).Str("resume").Str("").Str("finetune").None().SetItems().Build();
        p.SetItems();
        w.Save(path);

        var unwrapped = TorchCheckpoint.LoadStateDict(path);
        var ema = TorchCheckpoint.LoadStateDict(path, "model_ema");
        Assert.Equal(plain.Keys, unwrapped.Keys);
        foreach (var (k, v) in plain)
        {
            TensorAssert.Identical(v, unwrapped[k], k);
            TensorAssert.Identical(v * 2, ema[k], k);
        }

        var graph = Assert.IsType<Dictionary<string, object?>>(TorchCheckpoint.Load(path));
        Assert.Equal(["model", "optimizer", "epoch", "model_ema", "scaler", "args"], graph.Keys);
        Assert.Equal(299L, graph["epoch"]);
        var args = Assert.IsType<Dictionary<string, object?>>(graph["args"]);
        Assert.Equal("vim_tiny_patch16_224", args["model"]);
        Assert.Equal(224L, args["input_size"]);
        Assert.Equal(5e-4, args["lr"]);
        Assert.Equal(false, args["if_amp"]);
        Assert.Null(args["finetune"]);
        var optimizer = Assert.IsType<Dictionary<string, object?>>(graph["optimizer"]);
        var state = Assert.IsType<Dictionary<string, object?>>(optimizer["state"]);
        Assert.Equal(["0"], state.Keys); // integer keys become decimal strings
        var groups = Assert.IsType<List<object?>>(optimizer["param_groups"]);
        Assert.Equal(new List<object?> { 0L }, ((Dictionary<string, object?>)groups[0]!)["params"]);
        Directory.Delete(dir, true);
    }

    internal static void WriteStateDict(TorchZipWriter w, IReadOnlyDictionary<string, Tensor> sd, double scale)
    {
        w.OrderedDict();
        w.Pickle.Mark();
        foreach (var (k, v) in sd)
        {
            w.Pickle.Str(k);
            w.Tensor(v * scale);
        }
        w.Pickle.SetItems();
    }
}

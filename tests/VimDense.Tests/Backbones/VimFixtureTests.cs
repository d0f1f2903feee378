using VimDense.Backbones;
using VimDense.IO;
using static TorchSharp.torch;

namespace VimDense.Tests.Backbones;

/// <summary>Vision Mamba against the reference model's outputs (shared/fixtures/vim, depth-4 Vim-Ti models).</summary>
public sealed class VimFixtureTests
{
    public static TheoryData<string, int, string> Cases => new()
    {
        { "vim_tiny_s16_img64_seed11_d4", 16, ".pth" },
        { "vim_tiny_s8_img64_seed12_d4", 8, ".wrapped.pth" },
    };

    internal static VisionMamba ClassificationModel(int stride, int depth = 4, int img = 64) =>
        (VisionMamba)BackboneFactory.Create("vim_tiny", new VimOptions { Dense = false, Depth = depth, ImgSize = img, Stride = stride });

    [Theory]
    [MemberData(nameof(Cases))]
    public void FeaturesAndLogitsMatchTheReference(string name, int stride, string checkpointSuffix)
    {
        using var model = ClassificationModel(stride);
        var report = model.Load(TestPaths.Fixture("vim", name + checkpointSuffix), strict: true);
        Assert.True(report.IsClean, report.ToString());
        model.eval();
        using var input = NpyFile.Read(TestPaths.Fixture("vim", name + ".input.npy"));
        using var expectedFeatures = NpyFile.Read(TestPaths.Fixture("vim", name + ".features.npy"));
        using var expectedLogits = NpyFile.Read(TestPaths.Fixture("vim", name + ".logits.npy"));
        using var noGrad = no_grad();
        using var features = model.ForwardFeatures(input);
        using var logits = model.forward(input);
        AssertClose(expectedFeatures, features);
        AssertClose(expectedLogits, logits);
    }

    [Fact]
    public void WrappedKeysOfTheStride16ModelLoadThroughTheAdapter()
    {
        const string name = "vim_tiny_s16_img64_seed11_d4";
        var plain = VimDense.Checkpoints.StateDicts.Load(TestPaths.Fixture("vim", name + ".pth"));
        var wrapped = plain.ToDictionary(kv => "module." + kv.Key, kv => kv.Value);
        using var model = ClassificationModel(16);
        var report = VimCheckpointAdapter.LoadInto(model, wrapped, strict: true, "in-memory wrapped");
        Assert.True(report.IsClean, report.ToString());
        model.eval();
        using var input = NpyFile.Read(TestPaths.Fixture("vim", name + ".input.npy"));
        using var expected = NpyFile.Read(TestPaths.Fixture("vim", name + ".logits.npy"));
        using var noGrad = no_grad();
        using var logits = model.forward(input);
        AssertClose(expected, logits);
    }

    [Fact]
    public void ParameterCountOfTheFixtureModelsMatchesTheReference()
    {
        using var s16 = ClassificationModel(16);
        using var s8 = ClassificationModel(8);
        Assert.Equal(1_472_488, s16.parameters().Sum(p => p.numel()));
        Assert.Equal(1_478_824, s8.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void FullDepthVimTinyHasTheReferenceParameterCountAndKeys()
    {
        using var model = (VisionMamba)BackboneFactory.Create("vim_tiny", new VimOptions { Dense = false });
        var names = model.named_parameters().Select(p => p.name).ToHashSet();
        Assert.Equal(7_148_008, model.parameters().Sum(p => p.numel()));
        using var reference = VimDense.Checkpoints.StateDicts.Load(TestPaths.Fixture("vim", "vim_tiny_s16_img64_seed11_d4.pth")) is var sd ? new DisposableDict(sd) : null!;
        // Every key of the (depth-4) reference state dict exists in the full model, and vice versa up to depth.
        foreach (var key in reference.Dict.Keys) Assert.Contains(key, names);
        Assert.Equal(names.Count(n => !n.StartsWith("layers.", StringComparison.Ordinal) || int.Parse(n.Split('.')[1]) < 4), reference.Dict.Count);
    }

    internal static void AssertClose(Tensor expected, Tensor actual, double relative = 1e-4)
    {
        Assert.Equal(expected.shape, actual.shape);
        using var diff = (expected - actual).abs();
        var error = diff.max().item<float>();
        var scale = Math.Max(1.0, expected.abs().max().item<float>());
        Assert.True(error <= relative * scale, $"max abs error {error} > {relative} x {scale}");
    }

    private sealed class DisposableDict(Dictionary<string, Tensor> dict) : IDisposable
    {
        public Dictionary<string, Tensor> Dict { get; } = dict;
        public void Dispose() { foreach (var t in Dict.Values) t.Dispose(); }
    }
}

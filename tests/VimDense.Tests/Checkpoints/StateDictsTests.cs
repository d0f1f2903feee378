using VimDense.Checkpoints;
using static TorchSharp.torch;

namespace VimDense.Tests.Checkpoints;

public class StateDictsTests
{
    private static Dictionary<string, Tensor> Checkpoint() => new()
    {
        ["fc.weight"] = full(2, 3, 0.5f),
        ["fc.bias"] = tensor(new[] { 1f, 2f }, dtype: ScalarType.Float64), // needs a dtype conversion
        ["norm.weight"] = ones(3), // wrong shape
        ["running"] = tensor(new[] { 7f, 8f }),
        ["head.weight"] = ones(1), // the model has no head
    };

    [Fact]
    public void ReportListsMissingUnexpectedAndMismatchedAndCopiesTheRest()
    {
        var module = new SmallModule();
        var report = StateDicts.LoadInto(module, Checkpoint(), strict: false, source: "test.pth");
        Assert.Equal(["norm.bias"], report.Missing);
        Assert.Equal(["head.weight"], report.Unexpected);
        Assert.Equal(["norm.weight: checkpoint (3) vs model (2)"], report.ShapeMismatched);
        Assert.Equal(["fc.bias: Float64 -> Float32"], report.Adapted);
        Assert.False(report.IsClean);
        Assert.True(module.fc.weight!.eq(0.5f).all().item<bool>());
        Assert.Equal(new[] { 1f, 2f }, module.fc.bias!.data<float>().ToArray());
        Assert.Equal(new[] { 7f, 8f }, module.get_buffer("running")!.data<float>().ToArray());
        Assert.Equal(new[] { 1f, 1f }, module.norm.weight!.data<float>().ToArray()); // untouched
        Assert.False(module.fc.weight!.requires_grad is false); // still a trainable parameter
    }

    [Fact]
    public void StrictThrowsNamingTheFileAndCopiesNothing()
    {
        var module = new SmallModule();
        var before = module.fc.weight!.clone();
        var error = Assert.Throws<UserInputException>(() => StateDicts.LoadInto(module, Checkpoint(), strict: true, source: "test.pth"));
        Assert.StartsWith("test.pth: checkpoint does not match the model", error.Message);
        Assert.Contains("norm.bias", error.Message);
        Assert.Contains("head.weight", error.Message);
        TensorAssert.Identical(before, module.fc.weight!);
    }

    [Fact]
    public void StrictAcceptsAnExactStateDict()
    {
        var source = new SmallModule();
        var target = new SmallModule();
        var exact = source.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
        exact["running"] = tensor(new[] { 3f, 4f });
        var report = StateDicts.LoadInto(target, exact, strict: true, source: "exact");
        Assert.True(report.IsClean);
        Assert.Empty(report.Adapted);
        TensorAssert.Identical(source.fc.weight!, target.fc.weight!);
    }

    [Fact]
    public void LoadPicksTheReaderByExtension()
    {
        var dir = TestPaths.NewTempDir();
        var pth = TestPaths.Fixture("vim", "vim_tiny_s16_img64_seed11_d4.pth");
        var fromPth = StateDicts.Load(pth);
        var safetensors = Path.Combine(dir, "w.safetensors");
        SafeTensors.Save(safetensors, fromPth);
        var fromSafetensors = StateDicts.Load(safetensors);
        foreach (var (k, v) in fromPth) TensorAssert.Identical(v, fromSafetensors[k], k);
        Assert.Throws<UserInputException>(() => StateDicts.Load(safetensors, key: "model"));
        Assert.Contains("unknown checkpoint extension '.h5'", Assert.Throws<UserInputException>(() => StateDicts.Load(Path.Combine(dir, "w.h5"))).Message);
    }
}

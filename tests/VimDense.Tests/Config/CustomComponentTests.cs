using TorchSharp;
using VimDense.Config;
using VimDense.Heads.Necks;
using VimDense.Heads.Segmentation;
using VimDense.Tests.Segmentation;
using static TorchSharp.torch;

namespace VimDense.Tests.Config;

/// <summary>Options of a neck that lives in this (user) assembly, not in heads/.</summary>
public sealed record ScaledIdentityNeckOptions
{
    public double Factor { get; init; } = 1.0;
}

/// <summary>A user's neck: each feature map times a configured factor (no parameters).</summary>
public sealed class ScaledIdentityNeck(IReadOnlyList<int> channels, IReadOnlyList<int> strides, double factor) : Neck(nameof(ScaledIdentityNeck))
{
    public double Factor { get; } = factor;
    public override IReadOnlyList<int> OutChannels => channels;
    public override IReadOnlyList<int> OutStrides => strides;
    public override IReadOnlyList<Tensor> forward(IReadOnlyList<Tensor> inputs) => inputs.Select(x => x * Factor).ToList();
}

/// <summary>A component registered from outside heads/ is chosen by its config "type" and bound from JSON like the built-in ones.</summary>
public class CustomComponentTests
{
    private const string TypeName = "test_scaled_identity";

    static CustomComponentTests() =>
        SegmentorBuilder.Necks.Register<ScaledIdentityNeckOptions>(TypeName, (o, c) => new ScaledIdentityNeck(c.InChannels, c.InStrides, o.Factor));

    private static string Write(string json)
    {
        var path = Path.Combine(TestPaths.NewTempDir(), "custom.json");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void ASegmentorUsesANeckRegisteredByTheUsersAssembly()
    {
        var path = Write($$"""
            {
              "model": {
                "num_classes": 3,
                "neck": { "type": "{{TypeName}}", "factor": 0.5 },
                "decode_head": { "type": "upernet", "channels": 8 },
                "auxiliary_head": { "type": "none" }
              }
            }
            """);
        var config = ConfigLoader.Load(path);
        SegmentorBuilder.Validate(config.Model);
        using var model = SegmentorBuilder.Build(config.Model, new FakeBackbone());
        var neck = Assert.IsType<ScaledIdentityNeck>(model.named_children().Single(c => c.name == "neck").module);
        Assert.Equal(0.5, neck.Factor);
        model.eval(); // one image: in training, SyncBN would refuse the pyramid pooling's single value per channel
        using var logits = model.forward(randn(1, 3, 32, 32));
        Assert.Equal(new long[] { 1, 3, 32, 32 }, logits.shape);
    }

    [Fact]
    public void UnknownKeysOfAUserComponentNameTheKeyAndTheFile()
    {
        var path = Write($$"""{ "model": { "neck": { "type": "{{TypeName}}", "factr": 2 } } }""");
        var error = Assert.Throws<UserInputException>(() => SegmentorBuilder.Validate(ConfigLoader.Load(path).Model));
        Assert.Contains("model.neck.factr", error.Message);
        Assert.Contains(path, error.Message);
        Assert.Contains("factor", error.Message);
    }
}

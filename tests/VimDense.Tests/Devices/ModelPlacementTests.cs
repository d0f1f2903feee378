using TorchSharp;
using System.Reflection;
using VimDense.Engine;
using VimDense.Experiments;
using VimDense.Layers;
using VimDense.Tests.Engine;
using static TorchSharp.torch;

namespace VimDense.Tests.Devices;

/// <summary>
/// Module.to() really moves every parameter and buffer of every shipped model, and no module keeps computing with the
/// tensor it held before the move. Without a GPU the move is a dtype change (float32 → float64), which replaces every
/// registered tensor exactly as a device change does: a field or property that still holds a float32 tensor under a
/// registered name (a property's backing field, which TorchSharp's to() does not assign) is caught.
/// </summary>
[Collection(GlobalRngCollection.Name)]
public class ModelPlacementTests
{
    private static string ConfigsDir => Path.Combine(TestPaths.RepoRoot, "configs");

    public static TheoryData<string> Configs() =>
        [.. Directory.GetFiles(ConfigsDir, "*.json", SearchOption.AllDirectories).Select(p => Path.GetRelativePath(ConfigsDir, p)).Order()];

    [Theory]
    [MemberData(nameof(Configs))]
    public void EveryParameterAndBufferMovesWithTheModel(string name)
    {
        var experiment = Experiment.FromConfig(Path.Combine(ConfigsDir, name), ["model.backbone.pretrained=null"], TestPaths.NewTempDir());
        using nn.Module model = experiment switch
        {
            SegmentationExperiment s => s.BuildModel(loadPretrained: false),
            DetectionExperiment d => d.BuildModel(loadPretrained: false),
            _ => throw new InvalidOperationException(name),
        };
        Assert.Empty(DevicePlacement.LeftBehind(model, CPU));
        Assert.Empty(StaleAfter(model, m => m.to(ScalarType.Float64)));
        var floating = model.named_parameters().Select(p => (p.name, (Tensor)p.parameter))
            .Concat(model.named_buffers().Select(b => (b.name, b.buffer))).Where(x => x.Item2.is_floating_point()).ToList();
        Assert.NotEmpty(floating);
        Assert.All(floating, x => Assert.True(x.Item2.dtype == ScalarType.Float64, $"{name}: {x.name} is {x.Item2.dtype}"));
    }

    [Fact]
    public void TheCheckFindsAFieldThatTo_DoesNotAssign()
    {
        using var module = new OtherNamedWeight();
        Assert.Equal([$"{nameof(OtherNamedWeight)}.scale"], StaleAfter(module, m => m.to(ScalarType.Float64)));
    }

    [Fact]
    public void NormLayersHandOutTheirMovedTensors()
    {
        using var norm = new LayerNorm2d(3);
        using var batchNorm = new SyncBatchNorm2d(3);
        norm.to(ScalarType.Float64);
        batchNorm.to(ScalarType.Float64);
        Assert.Equal(ScalarType.Float64, norm.Weight.dtype);
        Assert.Equal(ScalarType.Float64, norm.Bias.dtype);
        Assert.Equal(ScalarType.Float64, batchNorm.RunningMean.dtype);
        Assert.Equal(ScalarType.Float64, batchNorm.RunningVar.dtype);
        using var y = norm.forward(randn(new long[] { 1, 3, 2, 2 }, ScalarType.Float64));
        Assert.Equal(ScalarType.Float64, y.dtype);
    }

    [Fact]
    public void MoveModuleToTheDeviceItIsOnLeavesItsTensorsAlone()
    {
        using var norm = new LayerNorm2d(3);
        var before = norm.Weight.Handle;
        Assert.Same(norm, DevicePlacement.MoveModule(norm, CPU));
        Assert.Equal(before, norm.Weight.Handle);
        Assert.Equal(DeviceType.CPU, DevicePlacement.DeviceOf(norm).type);
    }

    [GpuFact]
    public void MoveModuleToTheGpuMovesEverything()
    {
        var path = Path.Combine(ConfigsDir, "demo", "upernet_vim_tiny_synthetic.json");
        var experiment = Experiment.FromConfig<SegmentationExperiment>(path, ["device=cuda"], TestPaths.NewTempDir());
        using var model = experiment.BuildModel(loadPretrained: false);
        Assert.Empty(DevicePlacement.LeftBehind(model, CUDA));
        Assert.Empty(StaleAfter(model, m => m.to(CPU)));
    }

    /// <summary>
    /// Runs <paramref name="move"/> on <paramref name="root"/> and returns "Type.field" of each field of its modules that
    /// still holds a tensor registered before the move but no longer after it (computing on the old device or dtype).
    /// </summary>
    private static List<string> StaleAfter(nn.Module root, Action<nn.Module> move)
    {
        HashSet<object> Registered() => new(root.parameters().Cast<object>().Concat(root.buffers()), ReferenceEqualityComparer.Instance);
        var before = Registered();
        move(root);
        var after = Registered();
        var stale = new List<string>();
        foreach (var module in new[] { root }.Concat(root.modules()))
            for (var type = module.GetType(); type is not null && type != typeof(nn.Module); type = type.BaseType)
                foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                    if (field.GetValue(module) is Tensor held && before.Contains(held) && !after.Contains(held))
                        stale.Add($"{module.GetType().Name}.{field.Name}");
        return stale;
    }

    /// <summary>
    /// What the check exists for: a tensor held in a field under another name than it is registered by, which to()
    /// does not assign. (A get-only property under the registered name makes to() itself throw: "Property set method
    /// not found", what LayerNorm2d and NormedConv2d did before they held their parameters in fields.)
    /// </summary>
    private sealed class OtherNamedWeight : nn.Module<Tensor, Tensor>
    {
        private readonly TorchSharp.Modules.Parameter scale;

        public OtherNamedWeight() : base(nameof(OtherNamedWeight))
        {
            scale = nn.Parameter(ones(2));
            register_parameter("weight", scale);
        }

        public override Tensor forward(Tensor x) => x * scale;
    }
}

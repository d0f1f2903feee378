using Newtonsoft.Json.Linq;
using VimDense.Backbones;
using VimDense.Config;
using VimDense.Datasets.Transforms;
using VimDense.Experiments;
using VimDense.Heads.Detection;
using VimDense.Heads.Necks;
using VimDense.Heads.Segmentation;

namespace VimDense.Tests.Experiments;

/// <summary>
/// `print-config`'s resolved config: every component's defaults are filled in, the file's values and --set overrides
/// are kept, and the output is itself a config that resolves to the same JSON.
/// </summary>
public class ResolvedConfigTests
{
    private static string Config(string name) => Path.Combine(TestPaths.RepoRoot, "configs", name);

    public static TheoryData<string> Shipped() =>
    [
        .. Directory.GetFiles(Path.Combine(TestPaths.RepoRoot, "configs"), "*.json", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(Path.Combine(TestPaths.RepoRoot, "configs"), p).Replace('\\', '/')).Order(),
    ];

    [Theory]
    [MemberData(nameof(Shipped))]
    public void ResolvedConfigLoadsAndResolvesToItself(string name)
    {
        var resolved = ResolvedConfig.Of(Experiment.FromConfig(Config(name)));
        var dir = TestPaths.NewTempDir("resolved-config");
        var path = Path.Combine(dir, "resolved.json");
        File.WriteAllText(path, resolved.ToString());
        var again = ResolvedConfig.Of(Experiment.FromConfig(path));
        Assert.True(JToken.DeepEquals(resolved, again), $"{name}: resolving the resolved config changed it:\n{again}");
    }

    [Fact]
    public void SegmentationComponentsGetEveryDefaultAndKeepTheFilesValues()
    {
        var resolved = ResolvedConfig.Of(Experiment.FromConfig(Config("demo/upernet_vim_tiny_synthetic.json")));
        var decode = (JObject)resolved["model"]!["decode_head"]!;
        Assert.Equal("upernet", (string?)decode["type"]);
        AssertHasKeys<UperHeadOptions>(decode);
        Assert.Equal(64, (int)decode["channels"]!);                              // from the file
        Assert.Equal(new UperHeadOptions().Norm, (string?)decode["norm"]);       // a default the file leaves out
        AssertHasKeys<FcnHeadOptions>((JObject)resolved["model"]!["auxiliary_head"]!);
        AssertHasKeys<Feature2PyramidOptions>((JObject)resolved["model"]!["neck"]!);
        var backbone = (JObject)resolved["model"]!["backbone"]!["options"]!;
        AssertHasKeys<VimOptions>(backbone);
        Assert.Equal(4, (int)backbone["depth"]!);
        var data = (JObject)resolved["data"]!;
        AssertHasKeys<DataConfig>(data);
        AssertHasKeys<SegmentationPipelineOptions>(data);
        AssertHasKeys<InferenceOptions>((JObject)resolved["test"]!);
        Assert.Equal("slide", (string?)resolved["test"]!["mode"]);
        Assert.Null(resolved["model"]!["rpn"]);
    }

    [Fact]
    public void DetectionComponentsGetEveryDefault()
    {
        var resolved = ResolvedConfig.Of(Experiment.FromConfig(Config("demo/cascade_mask_rcnn_vim_tiny_synthetic.json")));
        var model = (JObject)resolved["model"]!;
        AssertHasKeys<RpnOptions>((JObject)model["rpn"]!);
        var roiHeads = (JObject)model["roi_heads"]!;
        Assert.Null(roiHeads["num_classes"]); // model.num_classes holds it; the section refuses its own
        Assert.Equal(ConfigBinding.KeysOf<RoiHeadsOptions>().Where(k => k != "num_classes").Order(), roiHeads.Properties().Select(p => p.Name).Order());
        AssertHasKeys<DetectionPipelineOptions>((JObject)resolved["data"]!);
        AssertHasKeys<DetectionTestOptions>((JObject)resolved["test"]!);
        Assert.Null(model["decode_head"]);
    }

    [Fact]
    public void OverridesAppearInTheResolvedConfig()
    {
        var resolved = ResolvedConfig.Of(Experiment.FromConfig(Config("demo/upernet_vim_tiny_synthetic.json"),
            ["model.decode_head.channels=32", "optimizer.lr=0.5", "model.neck.type=none"]));
        Assert.Equal(32, (int)resolved["model"]!["decode_head"]!["channels"]!);
        Assert.Equal(0.5, (double)resolved["optimizer"]!["lr"]!);
        // A replaced component keeps only what the new type knows.
        Assert.Equal(new JObject { ["type"] = "none" }, resolved["model"]!["neck"]);
    }

    [Fact]
    public void CliPrintsTheResolvedConfigAsJson()
    {
        var (code, stdout, stderr) = CliRunner.Run("print-config", Config("demo/upernet_vim_tiny_synthetic.json"), "--set", "model.decode_head.channels=48");
        Assert.True(code == 0, stderr);
        var printed = JObject.Parse(stdout);
        Assert.Equal(48, (int)printed["model"]!["decode_head"]!["channels"]!);
        Assert.Equal(new UperHeadOptions().Norm, (string?)printed["model"]!["decode_head"]!["norm"]);
    }

    [Fact]
    public void CliRejectsAnUnknownKeyInOneLine()
    {
        var (code, _, stderr) = CliRunner.Run("print-config", Config("demo/upernet_vim_tiny_synthetic.json"), "--set", "model.decode_head.chanels=48");
        Assert.NotEqual(0, code);
        Assert.Contains("chanels", stderr);
        Assert.DoesNotContain("   at ", stderr);
    }

    private static void AssertHasKeys<T>(JObject section)
    {
        var missing = ConfigBinding.KeysOf<T>().Where(k => !section.ContainsKey(k)).ToList();
        Assert.True(missing.Count == 0, $"{typeof(T).Name} keys missing from {section.Path}: {string.Join(", ", missing)}");
    }
}

using System.Globalization;
using TorchSharp;
using VimDense.Config;
using VimDense.Heads.Detection;
using VimDense.Heads.Segmentation;
using VimDense.Tests.Engine;

namespace VimDense.Tests.Config;

/// <summary>
/// Every shipped config (with its "base" chain) loads, validates and builds the model it built before component
/// options moved into typed records: the same parameter count and, under the config's seed, the same
/// initialisation (sum and sum of squares of all parameters, recorded from the previous config classes).
/// </summary>
[Collection(GlobalRngCollection.Name)]
public class ShippedConfigTests
{
    private static readonly Dictionary<string, (long Count, double Sum, double SumOfSquares)> Recorded = new()
    {
        ["ade20k/segmenter_vim_tiny_512.json"] = (8143596, 547407.0753121288, 1511512.1193304176),
        ["ade20k/upernet_deit_small_512_60k.json"] = (41702444, 14680.882775271775, 39374.44386697243),
        ["ade20k/upernet_deit_tiny_512_60k.json"] = (10880684, 7367.272678392622, 17685.021791665615),
        ["ade20k/upernet_vim_small_512_60k.json"] = (45447980, 1097207.402834466, 3043709.0222631027),
        ["ade20k/upernet_vim_tiny_512_60k.json"] = (12311084, 548842.2537996835, 1520433.3468114373),
        ["coco/cascade_mask_rcnn_deit_tiny_1024_lsj.json"] = (58649294, 10788.281572385235, 21516.38690421475),
        ["coco/cascade_mask_rcnn_vim_tiny_1024_lsj.json"] = (60080078, 552304.9413616755, 1525812.4083350506),
        ["demo/cascade_mask_rcnn_vim_tiny_synthetic.json"] = (2405054, 91805.47724345015, 253646.8285387181),
        ["demo/upernet_vim_tiny_synthetic.json"] = (2437648, 92054.86691822961, 258222.0535187791),
    };

    private static string ConfigsDir => Path.Combine(TestPaths.RepoRoot, "configs");

    [Fact]
    public void EveryShippedConfigIsRecorded()
    {
        var shipped = Directory.GetFiles(ConfigsDir, "*.json", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(ConfigsDir, p).Replace('\\', '/')).Order().ToList();
        Assert.Equal(Recorded.Keys.Order(), shipped);
    }

    public static TheoryData<string> Configs() => [.. Recorded.Keys.Order()];

    [Theory]
    [MemberData(nameof(Configs))]
    public void ShippedConfigBuildsTheSameModel(string name)
    {
        var config = ConfigLoader.Load(Path.Combine(ConfigsDir, name));
        // "auto" (the demo configs): the count the experiment takes from the data, here data.synthetic.classes.
        if (config.Model.NumClasses is null)
            config.Model.NumClasses = VimDense.Experiments.Experiment.FromConfig(Path.Combine(ConfigsDir, name), workDir: TestPaths.NewTempDir()) switch
            {
                VimDense.Experiments.SegmentationExperiment s => s.Classes.Count,
                VimDense.Experiments.DetectionExperiment d => d.Classes.Count,
                _ => throw new InvalidOperationException(name),
            };
        var detection = config.Task == "detection";
        if (detection) DetectorBuilder.Validate(config.Model);
        else SegmentorBuilder.Validate(config.Model);
        torch.manual_seed(config.Seed);
        using torch.nn.Module model = detection ? DetectorBuilder.Build(config.Model) : SegmentorBuilder.Build(config.Model);
        long count = 0;
        double sum = 0, squares = 0;
        foreach (var (_, parameter) in model.named_parameters())
        {
            using var values = parameter.detach().to(torch.float64);
            count += parameter.numel();
            sum += values.sum().item<double>();
            squares += values.square().sum().item<double>();
        }
        var expected = Recorded[name];
        Assert.Equal(expected.Count, count);
        // 2e-8 relative: libtorch's exp/log/expm1 kernels (the Vim dt initialisation) differ in the last bit between
        // CPU families (4e-9 measured between an AMD EPYC and an Intel Xeon with AMX); any re-initialised or
        // re-shaped tensor moves the sums by orders of magnitude more.
        const double tolerance = 2e-8;
        Assert.True(Math.Abs(sum - expected.Sum) <= tolerance * Math.Abs(expected.Sum),
            string.Create(CultureInfo.InvariantCulture, $"{name}: parameter sum {sum:R}, recorded {expected.Sum:R}"));
        Assert.True(Math.Abs(squares - expected.SumOfSquares) <= tolerance * expected.SumOfSquares,
            string.Create(CultureInfo.InvariantCulture, $"{name}: sum of squares {squares:R}, recorded {expected.SumOfSquares:R}"));
    }
}

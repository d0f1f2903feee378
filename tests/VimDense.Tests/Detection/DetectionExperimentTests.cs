using Newtonsoft.Json.Linq;
using VimDense.Backbones;
using VimDense.Config;
using VimDense.Datasets.Synthetic;
using VimDense.Experiments;
using VimDense.Tests.Engine;

namespace VimDense.Tests.Detection;

/// <summary>The shipped detection configs build their detectors; a Vim-Ti detector's evaluation output is accepted by `vimdense cocoeval`.</summary>
[Collection(GlobalRngCollection.Name)]
public class DetectionExperimentTests
{
    private static string Config(string folder, string name) => Path.Combine(TestPaths.RepoRoot, "configs", folder, name);

    [Fact]
    public void EveryShippedDetectionConfigBuildsItsDetector()
    {
        var configs = Directory.GetFiles(Path.Combine(TestPaths.RepoRoot, "configs"), "*.json", SearchOption.AllDirectories)
            .Where(path => ConfigLoader.Load(path).Task == "detection").Order().ToList();
        Assert.Equal(3, configs.Count);
        foreach (var path in configs)
        {
            var experiment = Experiment.FromConfig<DetectionExperiment>(path, null, TestPaths.NewTempDir());
            var names = experiment.BuildModel(loadPretrained: false).named_parameters().Select(p => p.name).ToList();
            Assert.Contains(names, n => n.StartsWith("neck.simfp_2.", StringComparison.Ordinal));
            Assert.Contains(names, n => n.StartsWith("roi_heads.", StringComparison.Ordinal));
            var depth = experiment.Config.Model.Backbone.Options.Json.Value<int?>("depth") ?? (experiment.Config.Model.Backbone.Type == "deit_tiny" ? 12 : 24);
            var blocks = experiment.Config.Model.Backbone.Type == "deit_tiny" ? "blocks" : "layers";
            Assert.Contains(names, n => n.StartsWith($"backbone.{blocks}.{depth - 1}.", StringComparison.Ordinal));
        }
        var deit = ConfigLoader.Load(Config("coco", "cascade_mask_rcnn_deit_tiny_1024_lsj.json"));
        var deitOptions = deit.Model.Backbone.Options.Bind<VitOptions>();
        Assert.Equal(14, deitOptions.WindowSize);
        Assert.Equal([2, 5, 8, 11], deitOptions.GlobalBlocks!);
        var vim = ConfigLoader.Load(Config("coco", "cascade_mask_rcnn_vim_tiny_1024_lsj.json"));
        Assert.Equal((1024, 0.1, 1e-4, 0.1, 250L, "step"), (vim.Data.Json.Value<int>("image_size"), vim.Model.Backbone.Options.Bind<VimOptions>().DropPathRate, vim.Optimizer.Lr,
            vim.Optimizer.WeightDecay, vim.Schedule.WarmupIters, vim.Schedule.Policy));
    }

    [Fact]
    public void SegmentationConfigIsRejectedAsDetectionExperiment()
    {
        var error = Assert.Throws<UserInputException>(() => Experiment.FromConfig<DetectionExperiment>(Config("demo", "upernet_vim_tiny_synthetic.json")));
        Assert.Contains("expected detection", error.Message);
        var (code, _, stderr) = CliRunner.Run("train", Config("demo", "cascade_mask_rcnn_vim_tiny_synthetic.json"), "--set", "model.neck.type=bifpn",
            $"data.root={TestPaths.NewTempDir()}", "data.synthetic.images=2", "data.synthetic.size=32");
        Assert.Equal(1, code);
        Assert.Contains("model.neck.type 'bifpn'", stderr);
    }

    [Fact]
    public void FpnNeckVariantTrainsAStep()
    {
        var experiment = Experiment.FromConfig<DetectionExperiment>(Config("demo", "cascade_mask_rcnn_vim_tiny_synthetic.json"),
            ["model.neck.type=fpn", "model.neck.norm=none", "model.backbone.options.img_size=64", "model.backbone.options.out_indices=[0,1,2,3]"],
            TestPaths.NewTempDir());
        var model = experiment.BuildModel(loadPretrained: false);
        Assert.Contains(model.named_parameters(), p => p.name.StartsWith("neck.fpn.lateral_convs.3.", StringComparison.Ordinal));
        var trainer = experiment.CreateTrainer(model, new RandomDetectionBatches(2, 64, experiment.Classes.Count, masks: true), null);
        model.train();
        var scalars = trainer.StepOnce(0);
        Assert.True(double.IsFinite(scalars["loss"]) && scalars["loss"] > 0);
        Assert.True(scalars.ContainsKey("loss_mask"));
    }

    [Fact]
    public void VimTinyDetectorAt1024WritesResultsThatCocoEvalAccepts() => ForwardAndScore(1024);

    private static void ForwardAndScore(int size)
    {
        var temp = TestPaths.NewTempDir("vimdense-det-1024");
        var data = Path.Combine(temp, "data");
        SyntheticCocoWriter.Write(data, new SyntheticOptions { Images = 2, Classes = 80, Size = size, Seed = 3 });
        // Untrained class scores are about 1/81, so a zero threshold keeps detections to score.
        var experiment = Experiment.FromConfig<DetectionExperiment>(Config("coco", "cascade_mask_rcnn_vim_tiny_1024_lsj.json"),
            [$"data.root={data}", $"data.image_size={size}", $"model.backbone.options.img_size={size}", "model.backbone.options.depth=2",
             "model.backbone.options.out_indices=[1]", "model.roi_heads.score_threshold=0", "model.roi_heads.detections_per_image=20"], temp);
        var model = experiment.BuildModel(loadPretrained: false);
        var evaluation = experiment.Evaluate(model, maxImages: 1, Path.Combine(temp, "eval"));
        Assert.Equal(1, evaluation.Images);
        Assert.Equal(20, evaluation.Detections);
        var gt = Path.Combine(data, "annotations", "instances_val2017.json");
        foreach (var (file, type) in new[] { (evaluation.BboxResultsPath, "bbox"), (evaluation.SegmResultsPath!, "segm") })
        {
            var (code, stdout, stderr) = CliRunner.Run("cocoeval", "--gt", gt, "--dt", file, "--iou-type", type);
            Assert.True(code == 0, stderr);
            Assert.Equal(12, stdout.Split('\n').Count(l => l.StartsWith(" Average ", StringComparison.Ordinal)));
        }
    }
}
